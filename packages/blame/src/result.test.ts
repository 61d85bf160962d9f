import { describe, expect, it } from 'vitest';
import { type Design, type StepTrials, summarize } from './result.js';
import { benjaminiHochberg } from './stats/benjamini-hochberg.js';
import { binomialPValue } from './stats/binomial-test.js';
import type { TrialOutcome } from './trial.js';

const flip: TrialOutcome = { kind: 'flip' };
const noFlip: TrialOutcome = { kind: 'no-flip' };
const diverged: TrialOutcome = { kind: 'undefined', reason: 'diverged' };
const times = (n: number, o: TrialOutcome) => Array.from({ length: n }, () => o);

const stepAt = (draw: number, outcomes: TrialOutcome[]): StepTrials => ({
  info: { step: { draw }, kind: 'draw', seq: draw, label: `draw tool:t${draw}` },
  perturbation: 'redraw',
  looks: [outcomes],
});

describe('the responsible set', () => {
  it('is Benjamini–Hochberg over the trustworthy steps only', () => {
    const design: Design = {
      k: 20,
      adaptive: false,
      method: 'wilson',
      confidence: 0.95,
      nullRate: 0.3,
      q: 0.2,
    };
    // A trustworthy step, 9 flips in 20: p ≈ 0.11, under q·1/1 but over q·1/2.
    const suspect = [...times(9, flip), ...times(11, noFlip)];
    const p = binomialPValue(9, 20, 0.3);
    expect(p).toBeGreaterThan(design.q / 2);
    expect(p).toBeLessThanOrEqual(design.q);
    // An untrustworthy step: 2 valid trials of 20 (p = 1). Counted in BH's family, it would
    // hide the suspect: over both, BH rejects nothing.
    const drifted = [...times(2, noFlip), ...times(18, diverged)];
    expect(benjaminiHochberg([p, 1], design.q)).toEqual([false, false]);

    const { steps, responsible } = summarize([stepAt(0, suspect), stepAt(1, drifted)], design);
    expect(steps.map((s) => s.trustworthy)).toEqual([true, false]);
    expect(steps.map((s) => s.responsible)).toEqual([true, false]);
    expect(responsible).toEqual([0]);
  });

  it('blames no untrustworthy step, however often it flips', () => {
    const design: Design = {
      k: 20,
      adaptive: false,
      method: 'wilson',
      confidence: 0.95,
      nullRate: 0.3,
      q: 0.1,
    };
    const flaky = [...times(9, flip), ...times(11, diverged)];
    const { steps, responsible } = summarize([stepAt(0, flaky)], design);
    expect(steps[0]).toMatchObject({ trustworthy: false, responsible: false, flips: 9 });
    expect(steps[0]!.pValue).toBeLessThan(0.001);
    expect(responsible).toEqual([]);
  });
});
