/**
 * The budget governor's up-front half: what a whole blame is expected to spend, from the recorded
 * run — for each blamed step, the live calls and tokens of the recorded tail after it, times its
 * trials — before anything is spent.
 */
import type { TapeStore } from '@trace/tape';
import { BlameError } from './errors.js';
import type { BlameOptions, Settings } from './options.js';
import { settingsOf } from './options.js';
import type { Cost, PlannedStep } from './plan.js';
import { planSteps } from './plan.js';
import { loadRun, openBlameStore } from './run-source.js';
import { type BlameStep, runSteps } from './steps.js';

export interface BlameEstimate {
  readonly calls: number;
  readonly tokens: number;
  /** Present when a price table prices every model of the blamed tails. */
  readonly usd?: number;
  /** Trials counted: k per step, plus the adaptive extra trials on every step (the worst case). */
  readonly trials: number;
  /** False when some recorded responses carried no usage and their tokens were estimated from sizes. */
  readonly measured: boolean;
  /** One trial's expected cost at each blamed step. */
  readonly steps: readonly {
    readonly step: BlameStep;
    readonly label: string;
    readonly calls: number;
    readonly tokens: number;
    readonly usd?: number;
  }[];
}

export type EstimateOptions = Pick<
  BlameOptions<never>,
  'store' | 'path' | 'run' | 'perturb' | 'steps' | 'trials' | 'prices' | 'adaptive' | 'budget'
>;

/** What `blame` with these options is expected to spend, from the recorded run; spends nothing. */
export async function estimateBlame(options: EstimateOptions): Promise<BlameEstimate> {
  const settings = settingsOf(options);
  const { store, release } = openBlameStore(options);
  try {
    return (await plannedEstimate(store, options, settings)).estimate;
  } finally {
    await release();
  }
}

/** The plan and its estimate, for `blame` and `estimateBlame`. */
export async function plannedEstimate(
  store: TapeStore,
  options: EstimateOptions,
  settings: Settings,
): Promise<{ planned: PlannedStep[]; estimate: BlameEstimate; fingerprint: string }> {
  const tape = await loadRun(store, options.run);
  const run = runSteps(tape.events);
  const planned = planSteps(run, options, settings);
  const perStep = settings.trials + settings.extraTrials;
  let usd: number | undefined = settings.prices === undefined ? undefined : 0;
  let calls = 0;
  let tokens = 0;
  for (const { cost } of planned) {
    calls += cost.calls * perStep;
    tokens += cost.tokens * perStep;
    usd = usd === undefined || cost.usd === undefined ? undefined : usd + cost.usd * perStep;
  }
  // Only the exchanges some tail replays are priced: from the earliest tail on.
  const earliest = Math.min(...planned.map((p) => run.tailStart(p.info.step)));
  const measured = run.exchanges.slice(earliest).every((e) => e.measured);
  const estimate: BlameEstimate = {
    calls,
    tokens,
    ...(usd === undefined ? {} : { usd }),
    trials: perStep * planned.length,
    measured,
    steps: planned.map(({ info, cost }) => ({
      step: info.step,
      label: info.label,
      calls: cost.calls,
      tokens: cost.tokens,
      ...(cost.usd === undefined ? {} : { usd: cost.usd }),
    })),
  };
  return { planned, estimate, fingerprint: tape.fingerprint };
}

/** BLAME_OVER_BUDGET when the estimate exceeds a limit of the budget. */
export function checkBudget(
  run: string,
  estimate: BlameEstimate,
  settings: Settings,
  steps: number,
): void {
  const { budget } = settings;
  const over: string[] = [];
  const spent: Cost = { calls: estimate.calls, tokens: estimate.tokens, usd: estimate.usd };
  if (budget.calls !== undefined && spent.calls > budget.calls)
    over.push(`${spent.calls} live calls (budget ${budget.calls})`);
  if (budget.tokens !== undefined && spent.tokens > budget.tokens)
    over.push(`${spent.tokens} tokens (budget ${budget.tokens})`);
  if (budget.usd !== undefined && (spent.usd ?? 0) > budget.usd)
    over.push(`$${(spent.usd ?? 0).toFixed(4)} (budget $${budget.usd})`);
  if (over.length === 0) return;
  const perStep = settings.trials + settings.extraTrials;
  throw new BlameError(
    'BLAME_OVER_BUDGET',
    `The blame of ${run} is estimated at ${over.join(', ')}: ${steps} step(s) × ${perStep} trial(s), each replaying the recorded tail after its step. Nothing was spent. Lower \`trials\`, blame fewer \`steps\`${settings.extraTrials > 0 ? ', turn off `adaptive`' : ''}, or raise the budget.`,
    {
      details: {
        run,
        estimate: { calls: estimate.calls, tokens: estimate.tokens, usd: estimate.usd ?? null },
        budget: {
          calls: budget.calls ?? null,
          tokens: budget.tokens ?? null,
          usd: budget.usd ?? null,
        },
      },
    },
  );
}
