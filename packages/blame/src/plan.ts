/**
 * Which steps a blame forks, with which perturbation, and what one trial at each is expected to
 * cost: the live calls and tokens of the recorded tail after the step.
 */
import type { Intervention } from '@trace/fork';
import type { DrawRecord } from '@trace/nondet';
import { BlameError, invalidOption } from './errors.js';
import type { BlameOptions, Settings } from './options.js';
import { perturbationFor } from './options.js';
import { defaultPerturbation, type Perturbation } from './perturbations.js';
import { noPrice, priceOf } from './pricing.js';
import type { BlameStep, RunSteps, StepInfo } from './steps.js';

/** What one trial spends, or is expected to. */
export interface Cost {
  readonly calls: number;
  readonly tokens: number;
  /** Undefined when there is no price table, or a model is not in it. */
  readonly usd: number | undefined;
}

export interface PlannedStep {
  readonly info: StepInfo;
  readonly perturbation: Perturbation;
  /** The expected cost of one trial here, from the recording. */
  readonly cost: Cost;
  /** The run's draws after the fork point, for `hybridDraws`. */
  readonly drawsAfter: readonly DrawRecord[];
}

/** The steps to blame, in the run's tape order. */
export function planSteps(
  run: RunSteps,
  options: Pick<BlameOptions<never>, 'steps' | 'perturb'>,
  settings: Settings,
): PlannedStep[] {
  if (options.steps !== undefined && !Array.isArray(options.steps))
    throw invalidOption('steps', 'steps is a list of steps: [{ exchange: 0 }, { draw: 2 }, …].');
  const chosen =
    options.steps === undefined ? run.steps : options.steps.map((step) => findStep(run, step));
  const planned: PlannedStep[] = [];
  for (const info of [...new Set(chosen)].sort((a, b) => a.seq - b.seq)) {
    const perturbation = perturbationFor(options.perturb, info, defaultPerturbation);
    const first = perturbation === undefined ? undefined : firstIntervention(perturbation, info);
    if (perturbation === undefined || first === undefined) continue; // the step is skipped
    // A resample sends the fork point's own request to the tail; any other intervention at an
    // exchange answers it without a call.
    const start =
      run.tailStart(info.step) + (info.kind === 'exchange' && first.kind !== 'resample' ? 1 : 0);
    planned.push({
      info,
      perturbation,
      cost: tailCost(run, start, settings),
      drawsAfter: run.drawsAfter(info.step),
    });
  }
  return planned;
}

function firstIntervention(perturbation: Perturbation, info: StepInfo): Intervention | undefined {
  try {
    return perturbation.intervene(info, 0);
  } catch (cause) {
    throw new BlameError(
      'BLAME_INVALID_OPTION',
      `The perturbation ${perturbation.name} threw at ${info.label} (seq ${info.seq}): ${(cause as Error)?.message ?? String(cause)}. Fix it to return an intervention, or undefined to leave the step out.`,
      { cause, details: { option: 'perturb' } },
    );
  }
}

function tailCost(run: RunSteps, start: number, settings: Settings): Cost {
  let tokens = 0;
  let usd: number | undefined = 0;
  for (const exchange of run.exchanges.slice(start)) {
    tokens += exchange.usage.input + exchange.usage.output;
    const price = priceOf(settings.prices, exchange.model, exchange.usage);
    if (price === undefined && settings.budget.usd !== undefined) throw noPrice(exchange.model);
    usd = price === undefined || usd === undefined ? undefined : usd + price;
  }
  return {
    calls: Math.max(0, run.exchanges.length - start),
    tokens,
    usd: settings.prices === undefined ? undefined : usd,
  };
}

function findStep(run: RunSteps, step: BlameStep): StepInfo {
  const found =
    typeof step !== 'object' || step === null
      ? undefined
      : run.steps.find((s) =>
          'exchange' in step
            ? 'exchange' in s.step && s.step.exchange === step.exchange
            : 'draw' in step && 'draw' in s.step && s.step.draw === step.draw,
        );
  if (found === undefined)
    throw invalidOption(
      'steps',
      `steps holds ${JSON.stringify(step)}, which is not a step of the run: it has ${run.exchanges.length} exchange(s) and ${run.steps.length - run.exchanges.length} draw(s), counted from 0.`,
    );
  return found;
}
