import { describe, expect, it } from 'vitest';
import { allGood, recordChain, seededTail } from './__tests__/chain.js';
import { binomialPValue, blame, proportionInterval } from './index.js';

describe('the adaptive design', () => {
  it('gives extra trials only to steps whose interval still holds the null rate, and reports each at its last look, Bonferroni-adjusted', async () => {
    // Exchange 0's resample always answers "bad", exchange 2's never; exchange 1's answers "bad"
    // on trials with an even number, so its flip rate is 1/2.
    const { store, agent } = await recordChain(3, ({ step, seed }) => {
      if (seed === undefined) return 'good';
      const trial = Number(seed.split('/').at(-1));
      return step === 0 || (step === 1 && trial % 2 === 0) ? 'bad' : 'good';
    });
    const result = await blame(
      {
        store,
        run: 'chain',
        oracle: allGood,
        trials: 12,
        adaptive: { extraTrials: 10 },
        steps: [{ exchange: 0 }, { exchange: 1 }, { exchange: 2 }],
        tail: (trial) => ({ fetch: seededTail(trial.seed), hybrid: true }),
      },
      agent,
    );
    expect(result.extraTrials).toBe(10);
    expect(result.steps.map((s) => [s.looks, s.trials, s.flips])).toEqual([
      [1, 12, 12],
      [2, 22, 11],
      [1, 12, 0],
    ]);
    // Each look's interval is at 97.5%: the 5% miss rate split over the two looks.
    expect(result.steps[0]!.interval).toEqual(proportionInterval(12, 12, { confidence: 0.975 }));
    expect(result.steps[1]!.interval).toEqual(proportionInterval(11, 22, { confidence: 0.975 }));
    expect(result.steps[2]!.interval.high).toBeLessThan(0.3);
    // p-values: twice the smallest look's.
    expect(result.steps[0]!.pValue).toBeCloseTo(2 * 0.3 ** 12, 15);
    const p1 = binomialPValue(6, 12, 0.3);
    const p2 = binomialPValue(11, 22, 0.3);
    expect(result.steps[1]!.pValue).toBeCloseTo(Math.min(1, 2 * Math.min(p1, p2)), 12);
    expect(result.responsible).toEqual([0]);
    // Without the design, the same first look is reported at 95%, p-values unadjusted.
    const fixed = await blame(
      {
        store,
        run: 'chain',
        oracle: allGood,
        trials: 12,
        steps: [{ exchange: 0 }],
        tail: (trial) => ({ fetch: seededTail(trial.seed), hybrid: true }),
      },
      agent,
    );
    expect(fixed.steps[0]!.pValue).toBeCloseTo(0.3 ** 12, 15);
    expect(fixed.steps[0]!.interval).toEqual(proportionInterval(12, 12));
  });
});
