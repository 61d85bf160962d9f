import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { designPValue, lookConfidence, undecided } from './adaptive.js';
import { binomialPValue } from './binomial-test.js';
import { proportionInterval } from './intervals.js';

describe('the two-look design', () => {
  it('splits the miss rate over the looks', () => {
    expect(lookConfidence(0.95, 1)).toBe(0.95);
    expect(lookConfidence(0.95, 2)).toBeCloseTo(0.975, 12);
    expect(designPValue([0.01, 0.2], 2)).toBeCloseTo(0.02, 12);
    expect(designPValue([0.7], 2)).toBe(1);
    expect(designPValue([0.03], 1)).toBe(0.03);
    expect(undecided({ low: 0.1, high: 0.5 }, 0.3)).toBe(true);
    expect(undecided({ low: 0.31, high: 0.5 }, 0.3)).toBe(false);
  });

  it('keeps its error rate: under H0 (p = nullRate) the exact probability that the design rejects at α is at most α', () => {
    // The exact level of the whole procedure, summed over every outcome of both looks: look 1
    // has n1 trials; a step whose look-1 interval holds the null rate gets n2 more.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 25 }),
        fc.integer({ min: 1, max: 25 }),
        fc.constantFrom(0.05, 0.1, 0.2),
        fc.constantFrom(0.1, 0.3, 0.5),
        (n1, n2, alpha, p0) => {
          const pmf = (k: number, n: number) => {
            let c = 1;
            for (let j = 0; j < k; j++) c = (c * (n - j)) / (j + 1);
            return c * p0 ** k * (1 - p0) ** (n - k);
          };
          const level = lookConfidence(1 - alpha, 2);
          let rejected = 0;
          for (let x1 = 0; x1 <= n1; x1++) {
            const p1 = binomialPValue(x1, n1, p0);
            const goOn = undecided(proportionInterval(x1, n1, { confidence: level }), p0);
            if (!goOn) {
              if (designPValue([p1], 2) <= alpha) rejected += pmf(x1, n1);
              continue;
            }
            for (let x2 = 0; x2 <= n2; x2++) {
              const p2 = binomialPValue(x1 + x2, n1 + n2, p0);
              if (designPValue([p1, p2], 2) <= alpha) rejected += pmf(x1, n1) * pmf(x2, n2);
            }
          }
          expect(rejected).toBeLessThanOrEqual(alpha + 1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });
});
