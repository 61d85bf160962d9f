/** The Benjamini–Hochberg step-up procedure. */
import { invalidOption } from '../errors.js';
import { checkOpenUnit } from './check.js';

/**
 * Which of m hypotheses are rejected at false-discovery rate q (Benjamini & Hochberg 1995): with
 * the p-values sorted, p(1) <= … <= p(m), find the largest k with p(k) <= k·q/m and reject the
 * hypotheses of p(1) … p(k). Controls the FDR at q for independent (or positively dependent)
 * p-values. Returns one flag per p-value, in the order given.
 */
export function benjaminiHochberg(pValues: readonly number[], q: number): boolean[] {
  checkOpenUnit('q', q);
  pValues.forEach((p, i) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw invalidOption('pValues', `pValues[${i}] is ${p}; every p-value is a number in [0, 1].`);
  });
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  let cut = 0;
  order.forEach(({ p }, rank) => {
    if (p <= ((rank + 1) * q) / m) cut = rank + 1;
  });
  const rejected = new Array<boolean>(m).fill(false);
  for (const { i } of order.slice(0, cut)) rejected[i] = true;
  return rejected;
}
