import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialPValue } from './binomial-test.js';

/** P(X >= x) for X ~ Binomial(n, 3/10), summed exactly in integers: Σ C(n,j) 3^j 7^(n-j) / 10^n. */
function exactTail(x: number, n: number): number {
  let choose = 1n;
  let sum = 0n;
  for (let j = 0; j <= n; j++) {
    if (j > 0) choose = (choose * BigInt(n - j + 1)) / BigInt(j);
    if (j >= x) sum += choose * 3n ** BigInt(j) * 7n ** BigInt(n - j);
  }
  const scale = 10n ** 30n;
  return Number((sum * scale) / 10n ** BigInt(n)) / Number(scale);
}

describe('binomialPValue', () => {
  it('matches the upper tail summed exactly in integer arithmetic (nullRate 0.3)', () => {
    for (const [x, n] of [
      [7, 20],
      [12, 20],
      [20, 20],
      [1, 1],
      [15, 40],
      [30, 40],
      [5, 10],
    ] as const)
      expect(binomialPValue(x, n, 0.3)).toBeCloseTo(exactTail(x, n), 12);
  });

  it('matches the closed forms: P(X >= n) = p^n, P(X >= 1) = 1 - (1 - p)^n, P(X >= 0) = 1', () => {
    for (const p of [0.05, 0.3, 0.5, 0.9])
      for (const n of [1, 3, 20, 80]) {
        expect(binomialPValue(n, n, p)).toBeCloseTo(p ** n, 12);
        expect(binomialPValue(1, n, p)).toBeCloseTo(1 - (1 - p) ** n, 12);
        expect(binomialPValue(0, n, p)).toBe(1);
      }
    expect(binomialPValue(0, 0, 0.3)).toBe(1);
  });

  it('keeps its precision far in the tail, where 1 - CDF would be 0', () => {
    // 0.3^200 = 2.65e-105
    expect(binomialPValue(200, 200, 0.3) / 0.3 ** 200).toBeCloseTo(1, 9);
  });

  it('is monotone: more successes, or a lower null rate, never raise it; more trials at a fixed count never lower it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        fc.nat(),
        (n, a, b, seed) => {
          const x = seed % (n + 1);
          const [low, high] = a < b ? [a, b] : [b, a];
          if (x < n)
            expect(binomialPValue(x + 1, n, high)).toBeLessThanOrEqual(
              binomialPValue(x, n, high) + 1e-12,
            );
          expect(binomialPValue(x, n, low)).toBeLessThanOrEqual(binomialPValue(x, n, high) + 1e-12);
          expect(binomialPValue(x, n + 1, high)).toBeGreaterThanOrEqual(
            binomialPValue(x, n, high) - 1e-12,
          );
          const p = binomialPValue(x, n, high);
          expect(p >= 0 && p <= 1).toBe(true);
        },
      ),
    );
  });
});
