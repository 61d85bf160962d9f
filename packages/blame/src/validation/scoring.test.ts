import { describe, expect, it } from 'vitest';
import { BlameError } from '../errors.js';
import { type Discovery, falseDiscoveryLimit, type RunResult, summarizeClass } from './scoring.js';

const discovery = (run: string): Discovery => ({
  run,
  step: { exchange: 1 },
  label: 'POST /v1/messages (fixture)',
  flipRate: 0.6,
  interval: { low: 0.4, high: 0.8 },
  pValue: 0.001,
});

/** A run blame got right (planted step first), with `wrong` false discoveries. */
const run = (i: number, wrong: number): RunResult => ({
  run: `run-${i}`,
  faultClass: 'corrupted-tool-output',
  scenario: 'weather',
  stage: 2,
  planted: { exchange: 2 },
  plantedLabel: 'POST /v1/messages (fixture)',
  rank: 0,
  top1: true,
  inResponsible: true,
  plantedFlipRate: 1,
  plantedInterval: { low: 0.8, high: 1 },
  falseDiscoveries: Array.from({ length: wrong }, () => discovery(`run-${i}`)),
  highestOther: undefined,
  recordings: 1,
  outcomeHeld: true,
  forks: 10,
  undefinedTrials: 0,
});

const runs = (n: number, wrong: number): RunResult[] =>
  Array.from({ length: n }, (_, i) => run(i, i < wrong ? 1 : 0));

describe('scoring a class', () => {
  it('refuses a class with no runs: 0/0 is no accuracy', () => {
    let error: unknown;
    try {
      summarizeClass('corrupted-tool-output', []);
    } catch (e) {
      error = e;
    }
    expect(BlameError.isInstance(error)).toBe(true);
    expect((error as BlameError).code).toBe('BLAME_INVALID_OPTION');
    expect((error as BlameError).message).toContain('runs');
  });

  it('allows one false discovery per twenty runs, and at least one', () => {
    expect([1, 2, 19, 20, 39, 40, 59, 60, 100].map(falseDiscoveryLimit)).toEqual([
      1, 1, 1, 1, 1, 2, 2, 3, 5,
    ]);
    const missed = (n: number, wrong: number) =>
      summarizeClass('corrupted-tool-output', runs(n, wrong)).missed.filter((m) =>
        m.includes('false'),
      );
    expect(missed(2, 1)).toEqual([]);
    expect(missed(2, 2)).toHaveLength(1);
    expect(missed(20, 1)).toEqual([]);
    expect(missed(20, 2)[0]).toMatch(/2 false discoveries in 20 runs \(at most 1/);
    expect(missed(40, 2)).toEqual([]);
    expect(missed(40, 3)[0]).toMatch(/3 false discoveries in 40 runs \(at most 2/);
  });
});
