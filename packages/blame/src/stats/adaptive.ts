/**
 * The two-look design behind `adaptive`: every step gets k trials; a step whose interval still
 * straddles the null rate gets `extraTrials` more; the test and the interval are then those of
 * the step's last look.
 *
 * Validity comes from a Bonferroni split of the error rate over the two looks. For a step with
 * true flip rate p <= nullRate, let P1 be the exact p-value after look 1 (n1 trials) and P2 the
 * one the step would have after look 2 (n1 + n2 trials, n2 fixed in advance), whether or not it
 * is run. Each is the fixed-sample exact test, so P(P_j <= t) <= t. The reported p-value is
 * min(1, 2·P1) for a step that stopped and min(1, 2·min(P1, P2)) for one that went on, which is
 * never below min(1, 2·min(P1, P2)) computed on every outcome, so
 *   P(reported <= t) <= P(P1 <= t/2) + P(P2 <= t/2) <= t,
 * whatever the data-dependent decision to go on. Intervals are computed at level
 * 1 - (1 - confidence)/2 at each look, and the reported one is the last look's: it misses p only
 * when the look-1 or the look-2 interval misses it, so with probability at most the sum of the two
 * looks' miss rates. That sum is at most 1 - confidence exactly for Clopper–Pearson, whose
 * intervals never cover less than asked; Wilson, Jeffreys and Agresti–Coull have nominal
 * (approximate) coverage, which can dip below the level asked at some p and n, so for them the
 * bound is nominal too. The p-value argument above uses only the exact test and holds as stated.
 * The decision to go on uses only the step's own trials, so p-values of different steps stay
 * independent and Benjamini–Hochberg keeps its false-discovery guarantee across steps.
 */
import type { Interval } from './intervals.js';

/** How many looks the design makes: 2 when adaptive, 1 otherwise. */
export type Looks = 1 | 2;

/** The confidence of each look's interval: the miss rate split evenly over the looks. */
export function lookConfidence(confidence: number, looks: Looks): number {
  return 1 - (1 - confidence) / looks;
}

/** The design's p-value: the smallest look's p-value, times the number of looks (Bonferroni). */
export function designPValue(lookPValues: readonly number[], looks: Looks): number {
  return Math.min(1, looks * Math.min(...lookPValues));
}

/** A step is undecided when its interval still holds the null rate: more trials could decide it. */
export function undecided(interval: Interval, nullRate: number): boolean {
  return interval.low <= nullRate && nullRate <= interval.high;
}
