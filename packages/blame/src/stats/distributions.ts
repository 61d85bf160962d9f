/// <reference path="./jstat.d.ts" />
/** The two distribution functions the intervals need, from jstat: the beta and normal quantiles. */
import jstat from 'jstat';

const { jStat } = jstat;

/** The p-quantile of Beta(a, b). */
export function betaQuantile(p: number, a: number, b: number): number {
  return jStat.beta.inv(p, a, b);
}

/** The p-quantile of the standard normal. */
export function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}
