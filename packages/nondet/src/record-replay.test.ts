import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyStep, runScripted, ScriptedSource, sameValue } from './__tests__/program.js';
import { DrawKind, recording, replay } from './index.js';

describe('record then replay', () => {
  it('serves back exactly what was recorded, for any sequence of draws of every kind', () => {
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 40 }), (steps) => {
        const inner = new ScriptedSource();
        const rec = recording(inner);
        const recorded = runScripted(inner, rec, steps);
        // The log crosses a JSON boundary, as it does into a tape.
        const text = JSON.stringify(rec.log());
        const log = JSON.parse(text) as unknown[];
        expect(log).toHaveLength(steps.length);
        for (const record of log) {
          const keys = Object.keys(record as object).sort();
          expect(keys.join()).toMatch(/^kind,value(,stream)?$|^kind,stream,value$/);
        }
        const rep = replay(log);
        const replayed = runScripted(new ScriptedSource(), rep, steps);
        for (let i = 0; i < steps.length; i++) {
          if (!sameValue(recorded[i], replayed[i])) {
            throw new Error(
              `draw ${i} (${steps[i]!.t}): recorded ${String(recorded[i])}, replayed ${String(replayed[i])}`,
            );
          }
        }
        rep.assertConsumed();
        expect(rep.consumed).toBe(steps.length);
      }),
      { numRuns: 150 },
    );
  });

  it('returns the scripted values themselves while recording (NaN, -0, subnormals and huge ints pass through)', () => {
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 20 }), (steps) => {
        const inner = new ScriptedSource();
        const recorded = runScripted(inner, recording(inner), steps);
        steps.forEach((step, i) => {
          if (
            step.t === 'float' ||
            step.t === 'monotonic' ||
            step.t === 'sourceFloat' ||
            step.t === 'bytes' ||
            step.t === 'int' ||
            step.t === 'bigint'
          ) {
            expect(sameValue(recorded[i], step.value)).toBe(true);
          }
        });
      }),
    );
  });

  it('logs the documented kinds and encodings', () => {
    const inner = new ScriptedSource();
    const rec = recording(inner);
    runScripted(inner, rec, [
      { t: 'now', value: 1_700_000_000_123 },
      { t: 'monotonic', value: -0 },
      { t: 'float', value: Number.NaN },
      { t: 'uuidV4', value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      { t: 'uuidV7', value: '017f22e2-79b0-7cc3-98c4-dc0c0c07398f' },
      { t: 'int', min: 1, max: 6, value: 4 },
      { t: 'bigint', min: -(2n ** 70n), max: 2n ** 70n, value: 2n ** 69n + 1n },
      { t: 'bytes', value: new TextEncoder().encode('foobar') },
      { t: 'source', name: 'env', value: { HOME: '/home/a' }, stream: 'w' },
      { t: 'sourceFail', name: 'tool', value: 'boom' },
    ]);
    expect(rec.log()).toEqual([
      { kind: DrawKind.wallClock, value: 1_700_000_000_123 },
      { kind: 'clock.monotonic', value: '8000000000000000' },
      { kind: 'random.float', value: '7ff8000000000000' },
      { kind: 'uuid.v4', value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      { kind: 'uuid.v7', value: '017f22e2-79b0-7cc3-98c4-dc0c0c07398f' },
      { kind: 'random.int', value: { min: '1', max: '6', value: '4' } },
      {
        kind: 'random.int',
        value: {
          min: '-1180591620717411303424',
          max: '1180591620717411303424',
          value: '590295810358705651713',
        },
      },
      { kind: 'random.bytes', value: 'Zm9vYmFy' },
      { kind: 'source:env', value: { HOME: '/home/a' }, stream: 'w' },
      { kind: 'source.failed:tool', value: { name: 'RangeError', message: 'boom' } },
    ]);
    // The default stream's records carry no stream key at all.
    expect(Object.hasOwn(rec.log()[0]!, 'stream')).toBe(false);
  });

  it('a log() is a copy: changing it changes neither the recording nor a replay made from it', () => {
    const rec = recording();
    const value = rec.draw('cfg', () => ({ depth: 1 }));
    (value as { depth: number }).depth = 99;
    const log = rec.log();
    expect(log[0]!.value).toEqual({ depth: 1 });
    const rep = replay(log);
    (log[0] as { value: unknown }).value = { depth: 2 };
    expect(rec.log()[0]!.value).toEqual({ depth: 1 });
    expect(rep.draw('cfg', () => ({ depth: 3 }))).toEqual({ depth: 1 });
  });
});
