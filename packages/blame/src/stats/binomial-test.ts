/** The exact one-sided binomial test. */
import { checkCounts, checkOpenUnit } from './check.js';

/**
 * Exact one-sided binomial test of H0: p <= nullRate against p > nullRate: the p-value
 * P(X >= successes) for X ~ Binomial(trials, nullRate). With 0 successes (or 0 trials) it is 1.
 *
 * Summed term by term from the definition, starting from the log of the first term: every term
 * is positive, so the sum keeps full double precision even far in the tail, where 1 - CDF
 * cancels to 0. (jstat's incomplete beta, which gives the same tail, is good to about 1e-10
 * only.) Blame's trial counts are small, so the O(trials) sum costs nothing.
 */
export function binomialPValue(successes: number, trials: number, nullRate: number): number {
  checkCounts(successes, trials);
  checkOpenUnit('nullRate', nullRate);
  if (successes === 0) return 1;
  const n = trials;
  const p = nullRate;
  // Sum the side of the distribution away from its mean, where the terms fall off: the upper
  // tail itself when `successes` is above the mean, 1 - the lower tail otherwise.
  if (successes > n * p) return Math.min(1, tailSum(n, p, successes, +1));
  return Math.max(0, 1 - tailSum(n, p, successes - 1, -1));
}

/** Σ P(X = j) for j from `from` to n (step +1) or to 0 (step -1). */
function tailSum(n: number, p: number, from: number, step: 1 | -1): number {
  // log C(n, from) + from·log p + (n - from)·log(1 - p)
  let logTerm = from * Math.log(p) + (n - from) * Math.log1p(-p);
  for (let j = 0; j < from; j++) logTerm += Math.log(n - j) - Math.log(j + 1);
  let term = Math.exp(logTerm);
  let sum = 0;
  const odds = p / (1 - p);
  for (let j = from; j >= 0 && j <= n; j += step) {
    sum += term;
    // P(X = j + 1) = P(X = j)·(n - j)/(j + 1)·p/(1 - p); P(X = j - 1) = P(X = j)·j/(n - j + 1)·(1 - p)/p
    term *= step === 1 ? ((n - j) / (j + 1)) * odds : j / (n - j + 1) / odds;
  }
  return sum;
}
