/** The stored result of a blame (plain JSON), and how it is computed from the trials. */
import type { BlameStopReason } from './budget.js';
import { designPValue, type Looks, lookConfidence } from './stats/adaptive.js';
import { benjaminiHochberg } from './stats/benjamini-hochberg.js';
import { binomialPValue } from './stats/binomial-test.js';
import { type Interval, type IntervalMethod, proportionInterval } from './stats/intervals.js';
import type { BlameStep, StepInfo } from './steps.js';
import type { TrialOutcome } from './trial.js';

export interface StepBlame {
  readonly step: BlameStep;
  /** The step's event seq in the run's tape. */
  readonly seq: number;
  readonly kind: 'exchange' | 'draw';
  /** e.g. 'POST /v1/messages (claude-…)' or 'draw tool:search'. */
  readonly label: string;
  readonly perturbation: string;
  /** Trials planned at the step: valid + undefined (cut ones included). */
  readonly trials: number;
  /** FLIP + NO_FLIP. */
  readonly valid: number;
  readonly flips: number;
  /** Diverged, errored, or cut by budget. */
  readonly undefined: number;
  /** The undefined trials by cause. */
  readonly reasons: { readonly diverged: number; readonly errored: number; readonly cut: number };
  /** flips / valid (0 when valid = 0). */
  readonly flipRate: number;
  readonly interval: Interval;
  readonly pValue: number;
  readonly responsible: boolean;
  /** valid >= k/2. */
  readonly trustworthy: boolean;
  /** How many looks the step had: 2 when the adaptive design gave it extra trials. */
  readonly looks: 1 | 2;
}

export interface BlameResult {
  readonly version: 1;
  readonly run: string;
  readonly runFingerprint: string;
  /** The oracle's description. */
  readonly oracle: string;
  /** The oracle on the recorded run's value (replayed offline). */
  readonly parentOutcome: boolean;
  readonly method: IntervalMethod;
  readonly confidence: number;
  readonly nullRate: number;
  readonly q: number;
  /** k, the first look's trials per step. */
  readonly trials: number;
  /** Extra trials per undecided step (0 when not adaptive). */
  readonly extraTrials: number;
  /** In the run's tape order. */
  readonly steps: readonly StepBlame[];
  /** Indexes into steps, ranked by flip rate (highest first). */
  readonly responsible: readonly number[];
  /** Every step index, ranked by flip rate, then lower bound. */
  readonly ranking: readonly number[];
  readonly spend: { readonly calls: number; readonly tokens: number; readonly usd?: number };
  readonly estimate: { readonly calls: number; readonly tokens: number; readonly usd?: number };
  /** The budget ran out: some steps have fewer trials. */
  readonly partial: boolean;
  /**
   * Set when the blame stopped because a live call could not be priced under a dollar budget
   * (`code: 'BLAME_NO_PRICE'`, the model, and what to do); its trials are cut and `partial` is true.
   */
  readonly stopped?: BlameStopReason;
  /** Kept trial branches ([] unless keepBranches). */
  readonly branches: readonly string[];
  readonly createdAt: string;
}

/** The trials of one step, by look. */
export interface StepTrials {
  readonly info: StepInfo;
  readonly perturbation: string;
  readonly looks: readonly (readonly TrialOutcome[])[];
}

export interface Design {
  readonly k: number;
  readonly adaptive: boolean;
  readonly method: IntervalMethod;
  readonly confidence: number;
  readonly nullRate: number;
  readonly q: number;
}

/** Counts of a list of outcomes. */
export function tally(outcomes: readonly TrialOutcome[]): { valid: number; flips: number } {
  let valid = 0;
  let flips = 0;
  for (const o of outcomes) {
    if (o.kind === 'undefined') continue;
    valid++;
    if (o.kind === 'flip') flips++;
  }
  return { valid, flips };
}

/** A look's interval: at the design's per-look confidence. */
export function lookInterval(flips: number, valid: number, design: Design): Interval {
  const looks: Looks = design.adaptive ? 2 : 1;
  return proportionInterval(flips, valid, {
    method: design.method,
    confidence: lookConfidence(design.confidence, looks),
  });
}

/** Every step's statistics, the responsible set (BH over the design p-values) and the ranking. */
export function summarize(
  stepTrials: readonly StepTrials[],
  design: Design,
): { steps: StepBlame[]; responsible: number[]; ranking: number[] } {
  const looks: Looks = design.adaptive ? 2 : 1;
  const partial = stepTrials.map(({ info, perturbation, looks: byLook }) => {
    const all = byLook.flat();
    const lookPValues: number[] = [];
    let upTo: TrialOutcome[] = [];
    for (const outcomes of byLook) {
      upTo = [...upTo, ...outcomes];
      const { valid, flips } = tally(upTo);
      lookPValues.push(binomialPValue(flips, valid, design.nullRate));
    }
    const { valid, flips } = tally(all);
    const reasons = { diverged: 0, errored: 0, cut: 0 };
    for (const o of all) if (o.kind === 'undefined') reasons[o.reason]++;
    return {
      step: info.step,
      seq: info.seq,
      kind: info.kind,
      label: info.label,
      perturbation,
      trials: all.length,
      valid,
      flips,
      undefined: all.length - valid,
      reasons,
      flipRate: valid === 0 ? 0 : flips / valid,
      interval: lookInterval(flips, valid, design),
      pValue: designPValue(lookPValues.length === 0 ? [1] : lookPValues, looks),
      trustworthy: valid >= design.k / 2,
      looks: (byLook.length > 1 && byLook[1]!.length > 0 ? 2 : 1) as 1 | 2,
    };
  });
  // The family BH runs over is the trustworthy steps only, so its false-discovery bound holds for
  // exactly the set it reports. Which steps are trustworthy depends on their valid-trial counts
  // alone, never on their flips, so choosing the family this way does not bias the p-values in it.
  const family = partial.flatMap((s, i) => (s.trustworthy ? [i] : []));
  const rejected = new Set<number>();
  if (family.length > 0) {
    const flags = benjaminiHochberg(
      family.map((i) => partial[i]!.pValue),
      design.q,
    );
    family.forEach((i, at) => {
      if (flags[at]) rejected.add(i);
    });
  }
  const steps: StepBlame[] = partial.map((s, i) => ({ ...s, responsible: rejected.has(i) }));
  const byRate = (a: number, b: number) =>
    steps[b]!.flipRate - steps[a]!.flipRate ||
    steps[b]!.interval.low - steps[a]!.interval.low ||
    a - b;
  const ranking = steps.map((_, i) => i).sort(byRate);
  return { steps, responsible: ranking.filter((i) => steps[i]!.responsible), ranking };
}
