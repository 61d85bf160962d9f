/**
 * Two-sided confidence intervals for a binomial proportion: Wilson (the default), Jeffreys,
 * Clopper–Pearson and Agresti–Coull, as Brown, Cai & DasGupta (2001, "Interval Estimation for a
 * Binomial Proportion", Statistical Science 16(2)) define them.
 *
 * With no trials (n = 0) every method returns [0, 1]: nothing is known, and the interval says so
 * rather than throwing, so a step whose every trial was undefined still has an interval.
 */
import { invalidOption } from '../errors.js';
import { checkCounts, checkOpenUnit } from './check.js';
import { betaQuantile, normalQuantile } from './distributions.js';

export type IntervalMethod = 'wilson' | 'jeffreys' | 'clopper-pearson' | 'agresti-coull';
export const INTERVAL_METHODS: readonly IntervalMethod[] = [
  'wilson',
  'jeffreys',
  'clopper-pearson',
  'agresti-coull',
];

export interface Interval {
  readonly low: number;
  readonly high: number;
}

export interface IntervalOptions {
  /** Default 'wilson'. */
  readonly method?: IntervalMethod;
  /** Default 0.95. */
  readonly confidence?: number;
}

/** The interval for `successes` of `trials` at `confidence` (default 95%, Wilson). */
export function proportionInterval(
  successes: number,
  trials: number,
  options: IntervalOptions = {},
): Interval {
  const method = options.method ?? 'wilson';
  const confidence = options.confidence ?? 0.95;
  checkCounts(successes, trials);
  checkOpenUnit('confidence', confidence);
  if (!INTERVAL_METHODS.includes(method))
    throw invalidOption(
      'method',
      `method is ${JSON.stringify(method)}; use one of ${INTERVAL_METHODS.join(', ')}.`,
    );
  if (trials === 0) return { low: 0, high: 1 };
  const alpha = 1 - confidence;
  const x = successes;
  const n = trials;
  switch (method) {
    case 'wilson':
      return wilson(x, n, normalQuantile(1 - alpha / 2));
    case 'agresti-coull':
      return agrestiCoull(x, n, normalQuantile(1 - alpha / 2));
    case 'jeffreys':
      // BCD 2001 §4.1.2: the lower end is 0 at x = 0 and the upper 1 at x = n.
      return clamp(
        x === 0 ? 0 : betaQuantile(alpha / 2, x + 0.5, n - x + 0.5),
        x === n ? 1 : betaQuantile(1 - alpha / 2, x + 0.5, n - x + 0.5),
      );
    case 'clopper-pearson':
      return clamp(
        x === 0 ? 0 : betaQuantile(alpha / 2, x, n - x + 1),
        x === n ? 1 : betaQuantile(1 - alpha / 2, x + 1, n - x),
      );
  }
}

function wilson(x: number, n: number, z: number): Interval {
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At x = 0 (x = n) the exact lower (upper) end is 0 (1); rounding can leave 1e-17 instead.
  return clamp(x === 0 ? 0 : centre - half, x === n ? 1 : centre + half);
}

function agrestiCoull(x: number, n: number, z: number): Interval {
  const z2 = z * z;
  const nTilde = n + z2;
  const pTilde = (x + z2 / 2) / nTilde;
  const half = z * Math.sqrt((pTilde * (1 - pTilde)) / nTilde);
  return clamp(pTilde - half, pTilde + half);
}

/** Agresti–Coull can reach below 0 or above 1; every interval is cut to [0, 1]. */
function clamp(low: number, high: number): Interval {
  return { low: Math.min(1, Math.max(0, low)), high: Math.min(1, Math.max(0, high)) };
}
