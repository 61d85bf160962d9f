import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlameError } from '../errors.js';
import { INTERVAL_METHODS, proportionInterval } from './intervals.js';

const close = (actual: { low: number; high: number }, low: number, high: number, digits = 4) => {
  expect(actual.low).toBeCloseTo(low, digits);
  expect(actual.high).toBeCloseTo(high, digits);
};

describe('proportionInterval against published values', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17:857–872, Table II (95%), methods 3 (Wilson score,
  // no continuity correction) and 5 (Clopper–Pearson "exact"), to 4 decimals.
  const newcombe = [
    { x: 81, n: 263, wilson: [0.2553, 0.3662], exact: [0.2527, 0.3676] },
    { x: 15, n: 148, wilson: [0.0624, 0.1605], exact: [0.0578, 0.1617] },
    { x: 0, n: 20, wilson: [0, 0.1611], exact: [0, 0.1684] },
    { x: 1, n: 29, wilson: [0.0061, 0.1718], exact: [0.0009, 0.1776] },
  ] as const;
  for (const { x, n, wilson, exact } of newcombe) {
    it(`Wilson and Clopper–Pearson for ${x}/${n} (Newcombe 1998, Table II)`, () => {
      close(proportionInterval(x, n), wilson[0], wilson[1]);
      close(proportionInterval(x, n, { method: 'clopper-pearson' }), exact[0], exact[1]);
    });
  }

  it("Clopper–Pearson for 682/925 as R's binom.test prints it (its help page's example)", () => {
    // binom.test(682, 925, p = 0.75): 95 percent confidence interval: 0.7076683 0.7654066
    close(proportionInterval(682, 925, { method: 'clopper-pearson' }), 0.7076683, 0.7654066, 7);
  });

  it('Clopper–Pearson at x = 0 and x = n has the closed form 1 - (α/2)^(1/n) (Clopper & Pearson 1934)', () => {
    for (const n of [1, 5, 20, 100]) {
      close(proportionInterval(0, n, { method: 'clopper-pearson' }), 0, 1 - 0.025 ** (1 / n), 9);
      close(proportionInterval(n, n, { method: 'clopper-pearson' }), 0.025 ** (1 / n), 1, 9);
      const c90 = proportionInterval(0, n, { method: 'clopper-pearson', confidence: 0.9 });
      expect(c90.high).toBeCloseTo(1 - 0.05 ** (1 / n), 9);
    }
  });

  it('Jeffreys ends are the Beta(x + 1/2, n - x + 1/2) quantiles: checked with the closed-form CDF of Beta(1/2, 3/2)', () => {
    // For n = 1, the posterior is Beta(1/2, 3/2) (x = 0) or Beta(3/2, 1/2) (x = 1). With
    // θ = asin(√u), P(Beta(1/2, 3/2) <= u) = (2/π)(θ + sin θ cos θ) (substitute u = sin²θ).
    const cdf = (u: number) => {
      const t = Math.asin(Math.sqrt(u));
      return (2 / Math.PI) * (t + Math.sin(t) * Math.cos(t));
    };
    const zero = proportionInterval(0, 1, { method: 'jeffreys' });
    expect(zero.low).toBe(0); // Brown, Cai & DasGupta (2001) §4.1.2: lower end 0 at x = 0
    expect(cdf(zero.high)).toBeCloseTo(0.975, 9);
    const one = proportionInterval(1, 1, { method: 'jeffreys' });
    expect(one.high).toBe(1);
    expect(1 - cdf(1 - one.low)).toBeCloseTo(0.025, 9);
  });

  it('Agresti–Coull is p̃ ± z·√(p̃(1 − p̃)/ñ) with ñ = n + z², p̃ = (x + z²/2)/ñ (Brown, Cai & DasGupta 2001, eq. 4)', () => {
    // Worked by hand for 81/263 with z = 1.959963984540054: z² = 3.841458820694124,
    // ñ = 266.8414588206941, p̃ = 82.92072941034706 / 266.8414588206941 = 0.3107490484,
    // half width = 1.95996 · √(0.3107490484 · 0.6892509516 / 266.8414588) = 0.0555283832.
    close(proportionInterval(81, 263, { method: 'agresti-coull' }), 0.2552207, 0.3662774, 6);
    // "Add two successes and two failures" (Agresti & Coull 1998) is its 95% approximation.
    const plusFour = (x: number, n: number) => {
      const p = (x + 2) / (n + 4);
      const h = 1.96 * Math.sqrt((p * (1 - p)) / (n + 4));
      return [Math.max(0, p - h), Math.min(1, p + h)] as const;
    };
    for (const [x, n] of [
      [3, 10],
      [0, 20],
      [15, 148],
    ] as const) {
      const [low, high] = plusFour(x, n);
      close(proportionInterval(x, n, { method: 'agresti-coull' }), low, high, 2);
    }
  });
});

describe('proportionInterval edge cases', () => {
  it('n = 0 gives [0, 1] for every method: nothing is known', () => {
    for (const method of INTERVAL_METHODS)
      expect(proportionInterval(0, 0, { method })).toEqual({ low: 0, high: 1 });
  });

  it('x = 0 starts at exactly 0 and x = n ends at exactly 1 for Wilson, Jeffreys and Clopper–Pearson', () => {
    for (const method of ['wilson', 'jeffreys', 'clopper-pearson'] as const) {
      expect(proportionInterval(0, 7, { method }).low).toBe(0);
      expect(proportionInterval(7, 7, { method }).high).toBe(1);
    }
  });

  it('bad counts, confidences and methods are BLAME_INVALID_OPTION', () => {
    const bad: (() => unknown)[] = [
      () => proportionInterval(3, 2),
      () => proportionInterval(-1, 2),
      () => proportionInterval(1.5, 2),
      () => proportionInterval(1, Number.NaN),
      () => proportionInterval(1, 2, { confidence: 1 }),
      () => proportionInterval(1, 2, { confidence: 0 }),
      () => proportionInterval(1, 2, { method: 'wald' as never }),
    ];
    for (const call of bad) {
      const error = (() => {
        try {
          call();
        } catch (e) {
          return e;
        }
        throw new Error('no error');
      })();
      expect(BlameError.isInstance(error)).toBe(true);
      expect((error as BlameError).code).toBe('BLAME_INVALID_OPTION');
    }
  });
});

describe('proportionInterval properties', () => {
  const counts = fc
    .integer({ min: 1, max: 400 })
    .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
  const method = fc.constantFrom(...INTERVAL_METHODS);
  const confidence = fc.double({ min: 0.5, max: 0.999, noNaN: true });

  it('lies in [0, 1], low <= high, and holds the estimate x/n (every method here does)', () => {
    fc.assert(
      fc.property(counts, method, confidence, ([x, n], m, c) => {
        const { low, high } = proportionInterval(x, n, { method: m, confidence: c });
        expect(0 <= low && low <= high && high <= 1).toBe(true);
        expect(low <= x / n + 1e-12 && x / n - 1e-12 <= high).toBe(true);
      }),
    );
  });

  it('is symmetric: the interval of n - x failures mirrors that of x successes', () => {
    fc.assert(
      fc.property(counts, method, ([x, n], m) => {
        const a = proportionInterval(x, n, { method: m });
        const b = proportionInterval(n - x, n, { method: m });
        expect(a.low).toBeCloseTo(1 - b.high, 9);
        expect(a.high).toBeCloseTo(1 - b.low, 9);
      }),
    );
  });

  it('narrows as n grows at a fixed proportion, and widens with the confidence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 2, max: 20 }),
        method,
        (x0, extra, factor, m) => {
          const n0 = x0 + extra;
          const small = proportionInterval(x0, n0, { method: m });
          const large = proportionInterval(x0 * factor, n0 * factor, { method: m });
          expect(large.high - large.low).toBeLessThan(small.high - small.low);
          const wide = proportionInterval(x0, n0, { method: m, confidence: 0.99 });
          expect(wide.high - wide.low).toBeGreaterThan(small.high - small.low);
        },
      ),
    );
  });

  it('Agresti–Coull contains Wilson at 95% (Brown, Cai & DasGupta 2001, §4.1.1)', () => {
    fc.assert(
      fc.property(counts, ([x, n]) => {
        const w = proportionInterval(x, n);
        const ac = proportionInterval(x, n, { method: 'agresti-coull' });
        expect(ac.low).toBeLessThanOrEqual(w.low + 1e-12);
        expect(ac.high).toBeGreaterThanOrEqual(w.high - 1e-12);
      }),
    );
  });

  it('Clopper–Pearson contains Jeffreys (its ends are the Beta quantiles on either side)', () => {
    fc.assert(
      fc.property(counts, ([x, n]) => {
        const cp = proportionInterval(x, n, { method: 'clopper-pearson' });
        const j = proportionInterval(x, n, { method: 'jeffreys' });
        expect(cp.low).toBeLessThanOrEqual(j.low + 1e-12);
        expect(cp.high).toBeGreaterThanOrEqual(j.high - 1e-12);
      }),
    );
  });
});
