/** One trial: a fork at the step with the perturbation's intervention, classified. */
import { ForkError, forkRun, type Intervention, type TailOptions } from '@trace/fork';
import type { Agent } from '@trace/run';
import type { TapeStore } from '@trace/tape';
import type { Governor } from './budget.js';
import { BlameError } from './errors.js';
import { hybridDraws } from './hybrid-draws.js';
import { meteredFetch } from './metered-fetch.js';
import type { PriceTable, TrialInfo } from './options.js';
import type { Oracle } from './oracle.js';
import type { PlannedStep } from './plan.js';
import { outcomeOf } from './run-source.js';

/** Why a trial is UNDEFINED: the fork drifted, it errored, or the budget cut it. */
export type UndefinedReason = 'diverged' | 'errored' | 'cut';

export type TrialOutcome =
  | { readonly kind: 'flip' | 'no-flip' }
  | { readonly kind: 'undefined'; readonly reason: UndefinedReason };

export interface TrialSetup<T> {
  readonly store: TapeStore;
  readonly run: string;
  readonly runFingerprint: string;
  readonly parentOutcome: boolean;
  readonly oracle: Oracle<T>;
  readonly agent: Agent<T>;
  readonly tail: TailOptions | ((trial: TrialInfo) => TailOptions);
  readonly governor: Governor;
  readonly prices: PriceTable | undefined;
  readonly judgeErrors: boolean;
  readonly keepBranches: boolean;
  /** Serve the run's draws in the tail while they line up (see hybrid-draws.ts). */
  readonly hybridDraws: boolean;
  /** Branch ids of this blame: `<prefix><stepIndex>-<trial>`. */
  readonly branchPrefix: string;
}

export interface TrialReport {
  readonly outcome: TrialOutcome;
  /** The branch left in the store (kept, or not deletable), if any. */
  readonly branch: string | undefined;
}

export async function runTrial<T>(
  setup: TrialSetup<T>,
  planned: PlannedStep,
  info: TrialInfo,
): Promise<TrialReport> {
  const meter = setup.governor.start(planned.cost);
  if (meter === undefined)
    return { outcome: { kind: 'undefined', reason: 'cut' }, branch: undefined };
  let tail: TailOptions;
  let intervention: Intervention | undefined;
  try {
    tail = userCall('tail', 'the tail function', info, () =>
      typeof setup.tail === 'function' ? setup.tail(info) : setup.tail,
    );
    intervention = userCall('perturb', `the perturbation ${planned.perturbation.name}`, info, () =>
      planned.perturbation.intervene(planned.info, info.trial),
    );
  } catch (error) {
    setup.governor.finish(meter);
    throw error;
  }
  const metered = meteredFetch(tail.fetch, meter, setup.prices);
  const id = `${setup.branchPrefix}${info.stepIndex}-${info.trial}`;
  let outcome: TrialOutcome;
  try {
    if (intervention === undefined) {
      outcome = { kind: 'undefined', reason: 'errored' };
    } else {
      const { value } = await forkRun(
        {
          store: setup.store,
          parent: setup.run,
          parentFingerprint: setup.runFingerprint,
          at: info.step,
          intervene: intervention,
          tail: {
            ...tail,
            fetch: metered.fetch,
            ...(setup.hybridDraws
              ? {
                  draws: hybridDraws(
                    planned.drawsAfter,
                    tail.draws,
                    planned.info.kind === 'draw' && intervention.kind === 'resample',
                  ),
                }
              : {}),
          },
          id,
        },
        setup.agent,
      );
      // An agent that caught the refusal of a call still ran short of its tail: cut, not judged.
      outcome = meter.cut
        ? { kind: 'undefined', reason: 'cut' }
        : judge(() => outcomeOf(setup.oracle, value), setup.parentOutcome);
    }
  } catch (error) {
    if (ForkError.isInstance(error) && error.code === 'FORK_DRIFT') {
      outcome = { kind: 'undefined', reason: 'diverged' };
    } else if (ForkError.isInstance(error)) {
      // The fork refused (an intervention that does not fit, a parent changed since) or could
      // not save its branch.
      outcome = { kind: 'undefined', reason: 'errored' };
    } else if (meter.cut) outcome = { kind: 'undefined', reason: 'cut' };
    else if (setup.judgeErrors) outcome = judge(() => false, setup.parentOutcome);
    else outcome = { kind: 'undefined', reason: 'errored' };
  } finally {
    await metered.settled().catch(() => undefined);
    setup.governor.finish(meter);
  }
  return { outcome, branch: await settleBranch(setup as TrialSetup<unknown>, id) };
}

/** FLIP when the trial's outcome differs from the run's; an oracle that throws leaves it UNDEFINED. */
function judge(outcome: () => boolean, parent: boolean): TrialOutcome {
  try {
    return { kind: outcome() === parent ? 'no-flip' : 'flip' };
  } catch {
    return { kind: 'undefined', reason: 'errored' };
  }
}

/**
 * The trial's branch, if the fork saved one (it does for a finished or a thrown agent, not for a
 * drift): deleted unless kept. One that cannot be deleted stays, and is listed in the result.
 */
async function settleBranch(setup: TrialSetup<unknown>, id: string): Promise<string | undefined> {
  try {
    if (!(await setup.store.has(id))) return undefined;
    if (setup.keepBranches) return id;
    await setup.store.delete(id);
    return undefined;
  } catch {
    return id;
  }
}

/** Calls the user's code; what it throws stops the blame as BLAME_INVALID_OPTION. */
function userCall<R>(option: string, what: string, info: TrialInfo, call: () => R): R {
  try {
    return call();
  } catch (cause) {
    throw new BlameError(
      'BLAME_INVALID_OPTION',
      `${what} threw for trial ${info.trial} at step ${info.stepIndex}: ${(cause as Error)?.message ?? String(cause)}. Fix it to return for every trial.`,
      { cause, details: { option } },
    );
  }
}
