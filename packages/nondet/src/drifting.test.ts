import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { perform, type Step } from './__tests__/program.js';
import {
  compareLogs,
  drifting,
  NondetDivergenceError,
  type NondetSource,
  recording,
  replay,
  seeded,
} from './index.js';

const steps: Step[] = [
  { t: 'now', value: 0 },
  { t: 'monotonic', value: 0 },
  { t: 'float', value: 0 },
  { t: 'uuidV4', value: '' },
  { t: 'uuidV7', value: '' },
  { t: 'int', min: 0, max: 1, value: 0 },
  { t: 'bigint', min: 0n, max: 1n, value: 0n },
  { t: 'bytes', value: new Uint8Array(1) },
  { t: 'iso', value: 0 },
];

/** A stand-in for whatever an agent does with its draws: it ends up in what the run sends. */
function digest(source: NondetSource): string {
  const hash = createHash('sha256');
  for (const step of steps) hash.update(String(perform(source, step)));
  return hash.digest('hex');
}

describe('drifting', () => {
  it('is the negative control: the replay reproduces the run, drifting never does', () => {
    const rec = recording();
    const original = digest(rec);
    const log = rec.log();
    expect(digest(replay(log))).toBe(original);
    const drift = drifting(log);
    expect(digest(drift)).not.toBe(original);
    drift.assertConsumed();
  });

  it('every built-in draw differs from the recorded one wherever another value exists', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat({ max: 5 }), (seed, stepMs) => {
        // Same seed and clock for the recording and the drift: only the nudge keeps them apart.
        const rec = recording(seeded({ seed, stepMs }));
        for (const step of steps) perform(rec, step);
        const again = recording(drifting(rec.log(), seeded({ seed, stepMs })));
        for (const step of steps) perform(again, step);
        const original = rec.log();
        const drifted = again.log();
        expect(drifted.map((r) => r.kind)).toEqual(original.map((r) => r.kind));
        drifted.forEach((record, i) => {
          expect(record.value).not.toEqual(original[i]!.value);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('follows the log: another kind or a draw past the end diverges as in replay', () => {
    const rec = recording();
    rec.now();
    rec.draw('tool', () => 'a');
    const drift = drifting(rec.log());
    expect(() => drift.float()).toThrow(NondetDivergenceError);
    drift.now();
    let calls = 0;
    expect(
      drift.draw('tool', () => {
        calls++;
        return 'fresh';
      }),
    ).toBe('fresh');
    expect(calls).toBe(1);
    expect(() => drift.now()).toThrow(
      expect.objectContaining({
        code: 'NONDET_DIVERGED',
        details: expect.objectContaining({ reason: 'past-end' }),
      }),
    );
    const short = drifting(rec.log());
    short.now();
    expect(short.leftover().count).toBe(1);
    expect(() => short.assertConsumed()).toThrow(
      expect.objectContaining({ code: 'NONDET_UNCONSUMED' }),
    );
  });

  it('compareLogs locates where a drifted run departs', () => {
    const rec = recording();
    rec.draw('config', () => 1);
    rec.float();
    const log = rec.log();
    const again = recording(drifting(log));
    again.draw('config', () => 1);
    again.float();
    expect(compareLogs(log, again.log())).toMatchObject({
      stream: null,
      streamIndex: 1,
      expected: { index: 1 },
      actual: { index: 1 },
    });
    expect(compareLogs(log, log)).toBeUndefined();
    expect(compareLogs(log, log.slice(0, 1))).toMatchObject({
      expected: { index: 1 },
      actual: null,
    });
    expect(compareLogs(log.slice(0, 1), log)).toMatchObject({
      expected: null,
      actual: { index: 1 },
    });
  });
});
