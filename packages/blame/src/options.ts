/** What a blame is asked for, checked and with its defaults filled in. */
import type { TailOptions } from '@trace/fork';
import type { TapeStore } from '@trace/tape';
import { invalidOption } from './errors.js';
import type { Oracle } from './oracle.js';
import type { Perturbation } from './perturbations.js';
import { INTERVAL_METHODS, type IntervalMethod } from './stats/intervals.js';
import type { BlameStep, StepInfo } from './steps.js';

/** USD per million tokens, per model; the key `*` prices every model not listed. */
export type PriceTable = {
  readonly [model: string]: { readonly input: number; readonly output: number };
};

/** A limit on what the blame spends in its tails: live calls, tokens (input + output), dollars. */
export interface BlameBudget {
  readonly calls?: number;
  readonly tokens?: number;
  readonly usd?: number;
}

/** Which trial a tail is asked for. */
export interface TrialInfo {
  readonly step: BlameStep;
  /** The step's index in the blamed steps (the result's `steps`). */
  readonly stepIndex: number;
  /** The trial's number at its step, from 0; the extra trials of the adaptive look go on from k. */
  readonly trial: number;
  /** 1 for the first k trials of a step, 2 for the adaptive extra trials. */
  readonly look: 1 | 2;
  /** A seed unique to this trial of this blame's run and step: `<run>/<stepIndex>/<trial>`. */
  readonly seed: string;
}

export interface BlameOptions<T> {
  /** Give exactly one, as forkRun: an open store (not closed by blame), or an SQLite file path. */
  readonly store?: TapeStore;
  readonly path?: string;
  /** The recorded run (a finished tape). */
  readonly run: string;
  /** The outcome is `oracle(value)`. */
  readonly oracle: Oracle<T>;
  /** Default: resample for exchanges, redraw for draws. */
  readonly perturb?: Perturbation | ((step: StepInfo) => Perturbation | undefined);
  /** Default: every exchange and every draw. */
  readonly steps?: readonly BlameStep[];
  /** k, the trials per step. Default 20. */
  readonly trials?: number;
  /** Where each trial's tail goes (as @trace/fork); per trial, so each can get its own seed. */
  readonly tail: TailOptions | ((trial: TrialInfo) => TailOptions);
  /**
   * Serve each trial's tail draws from the run while they line up with it (same kind, same
   * order), then from the tail's `draws`: the draw analogue of the tail's `hybrid`. Default false.
   */
  readonly hybridDraws?: boolean;
  readonly budget?: BlameBudget;
  /** USD per million input and output tokens, per model. */
  readonly prices?: PriceTable;
  /** Trials run at once. Default 4. */
  readonly concurrency?: number;
  /** Default 'wilson'. */
  readonly method?: IntervalMethod;
  /** Default 0.95. */
  readonly confidence?: number;
  /** The flip rate under H0. Default 0.30. */
  readonly nullRate?: number;
  /** Benjamini–Hochberg false discovery rate. Default 0.10. */
  readonly q?: number;
  /** A second look on undecided steps; `true` gives them k extra trials. Default false. */
  readonly adaptive?: boolean | { readonly extraTrials: number };
  /** Keep the trial branches in the store. Default false: they are deleted. */
  readonly keepBranches?: boolean;
  /** Store the result beside the run, as `<run>.blame`. Default true. */
  readonly save?: boolean;
  /**
   * When the agent throws in a trial (or on the recorded run), count the outcome as `false`
   * instead of leaving the trial UNDEFINED. Default false.
   */
  readonly judgeErrors?: boolean;
  /** Called after each trial; `total` grows when the adaptive look adds trials. */
  readonly onProgress?: (progress: { done: number; total: number; step: BlameStep }) => void;
}

/** The options every part of the engine reads, defaults applied. */
export interface Settings {
  readonly trials: number;
  readonly extraTrials: number;
  readonly concurrency: number;
  readonly method: IntervalMethod;
  readonly confidence: number;
  readonly nullRate: number;
  readonly q: number;
  readonly budget: BlameBudget;
  readonly prices: PriceTable | undefined;
}

const wholeAtLeast = (option: string, value: unknown, min: number): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw invalidOption(
      option,
      `${option} is ${String(value)}; give a whole number, ${min} or more.`,
    );
  return value;
};

const unit = (option: string, value: unknown): number => {
  if (typeof value !== 'number' || !(value > 0 && value < 1))
    throw invalidOption(
      option,
      `${option} is ${String(value)}; give a number strictly between 0 and 1.`,
    );
  return value;
};

/** Checks the options that need no store; the rest are checked against the run. */
export function settingsOf(options: Partial<BlameOptions<never>>): Settings {
  if (typeof options !== 'object' || options === null)
    throw invalidOption('options', 'blame takes an options object: { path, run, oracle, tail }.');
  if (typeof options.run !== 'string' || options.run === '')
    throw invalidOption('run', '`run` must be the id of the recorded run to blame.');
  const trials = wholeAtLeast('trials', options.trials ?? 20, 1);
  const adaptive = options.adaptive ?? false;
  let extraTrials = 0;
  if (adaptive === true) extraTrials = trials;
  else if (typeof adaptive === 'object' && adaptive !== null)
    extraTrials = wholeAtLeast('adaptive.extraTrials', adaptive.extraTrials, 1);
  else if (adaptive !== false)
    throw invalidOption('adaptive', 'adaptive is true, false, or { extraTrials: n }.');
  const method = options.method ?? 'wilson';
  if (!INTERVAL_METHODS.includes(method))
    throw invalidOption(
      'method',
      `method is ${JSON.stringify(method)}; use one of ${INTERVAL_METHODS.join(', ')}.`,
    );
  const budget = options.budget ?? {};
  for (const key of ['calls', 'tokens', 'usd'] as const) {
    const value = budget[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value)))
      throw invalidOption(
        `budget.${key}`,
        `budget.${key} is ${String(value)}; give a number, 0 or more.`,
      );
  }
  const prices = options.prices;
  if (prices !== undefined)
    for (const [model, price] of Object.entries(prices))
      if (
        typeof price !== 'object' ||
        price === null ||
        !(price.input >= 0 && Number.isFinite(price.input)) ||
        !(price.output >= 0 && Number.isFinite(price.output))
      )
        throw invalidOption(
          'prices',
          `prices[${JSON.stringify(model)}] must be { input, output }: USD per million tokens, 0 or more.`,
        );
  return {
    trials,
    extraTrials,
    concurrency: wholeAtLeast('concurrency', options.concurrency ?? 4, 1),
    method,
    confidence: unit('confidence', options.confidence ?? 0.95),
    nullRate: unit('nullRate', options.nullRate ?? 0.3),
    q: unit('q', options.q ?? 0.1),
    budget,
    prices,
  };
}

/** The perturbation of a step, as the options choose it. */
export function perturbationFor(
  perturb: BlameOptions<never>['perturb'],
  step: StepInfo,
  defaultFor: (step: StepInfo) => Perturbation,
): Perturbation | undefined {
  const chosen =
    perturb === undefined
      ? defaultFor(step)
      : typeof perturb === 'function'
        ? perturb(step)
        : perturb;
  if (chosen === undefined) return undefined;
  if (typeof chosen !== 'object' || chosen === null || typeof chosen.intervene !== 'function')
    throw invalidOption(
      'perturb',
      'perturb is a Perturbation ({ name, intervene(step, trial) }) or a function of the step returning one.',
    );
  return chosen;
}
