import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlameError } from '../errors.js';
import { benjaminiHochberg } from './benjamini-hochberg.js';

describe('benjaminiHochberg', () => {
  it('rejects the first four of the fifteen p-values of Benjamini & Hochberg (1995), §4, at q = 0.05', () => {
    // The paper's example: Bonferroni rejects three, the step-up procedure four.
    const p = [
      0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719,
      0.6528, 0.759, 1,
    ];
    const rejected = benjaminiHochberg(p, 0.05);
    expect(rejected).toEqual(p.map((_, i) => i < 4));
    // Order does not matter: the same hypotheses are rejected when shuffled.
    const reversed = benjaminiHochberg([...p].reverse(), 0.05);
    expect(reversed).toEqual([...rejected].reverse());
  });

  it('steps up: a p-value above its own threshold is rejected when a larger one passes', () => {
    // m = 3, q = 0.1: thresholds 0.0333, 0.0667, 0.1. 0.04 fails its own (0.0333) but 0.09 passes.
    expect(benjaminiHochberg([0.04, 0.09, 0.05], 0.1)).toEqual([true, true, true]);
    expect(benjaminiHochberg([0.04, 0.5, 0.5], 0.1)).toEqual([false, false, false]);
    expect(benjaminiHochberg([], 0.1)).toEqual([]);
  });

  it('bad input is BLAME_INVALID_OPTION', () => {
    for (const call of [
      () => benjaminiHochberg([0.1, 1.5], 0.1),
      () => benjaminiHochberg([Number.NaN], 0.1),
      () => benjaminiHochberg([0.1], 0),
    ]) {
      expect(call).toThrow(BlameError);
    }
  });

  const pValues = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 });
  it('rejects a superset when q grows', () => {
    fc.assert(
      fc.property(
        pValues,
        fc.double({ min: 0.001, max: 0.99, noNaN: true }),
        fc.double({ min: 0.001, max: 0.99, noNaN: true }),
        (p, a, b) => {
          const small = benjaminiHochberg(p, Math.min(a, b));
          const large = benjaminiHochberg(p, Math.max(a, b));
          small.forEach((r, i) => {
            if (r) expect(large[i]).toBe(true);
          });
        },
      ),
    );
  });

  it('rejects the smallest p-values first, and at least what Bonferroni rejects', () => {
    fc.assert(
      fc.property(pValues, fc.double({ min: 0.001, max: 0.99, noNaN: true }), (p, q) => {
        const rejected = benjaminiHochberg(p, q);
        const maxRejected = Math.max(-1, ...p.filter((_, i) => rejected[i]));
        p.forEach((value, i) => {
          if (value < maxRejected) expect(rejected[i]).toBe(true);
          if (value <= q / p.length) expect(rejected[i]).toBe(true);
        });
      }),
    );
  });
});
