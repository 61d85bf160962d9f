import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareLogs, type DrawRecord, type LogDifference } from './index.js';

/** The definition, spelled out stream by stream: what compareLogs must return. */
function reference(expected: DrawRecord[], actual: DrawRecord[]): LogDifference | undefined {
  const streams = (log: DrawRecord[]) => {
    const map = new Map<string | null, number[]>();
    log.forEach((r, i) => {
      map.set(r.stream ?? null, [...(map.get(r.stream ?? null) ?? []), i]);
    });
    return map;
  };
  const e = streams(expected);
  const a = streams(actual);
  const seen = new Map<string | null, number>();
  for (let i = 0; i < expected.length; i++) {
    const key = expected[i]!.stream ?? null;
    const streamIndex = seen.get(key) ?? 0;
    seen.set(key, streamIndex + 1);
    const j = a.get(key)?.[streamIndex];
    if (j === undefined || JSON.stringify(actual[j]) !== JSON.stringify(expected[i])) {
      return {
        stream: key,
        streamIndex,
        expected: { index: i, record: expected[i]! },
        actual: j === undefined ? null : { index: j, record: actual[j]! },
      };
    }
  }
  for (let j = 0; j < actual.length; j++) {
    const key = actual[j]!.stream ?? null;
    const streamIndex = a.get(key)!.indexOf(j);
    if (streamIndex >= (e.get(key)?.length ?? 0)) {
      return { stream: key, streamIndex, expected: null, actual: { index: j, record: actual[j]! } };
    }
  }
  return undefined;
}

const record: fc.Arbitrary<DrawRecord> = fc
  .tuple(fc.nat({ max: 3 }), fc.option(fc.constantFrom('a', 'b'), { nil: undefined }))
  .map(([value, stream]) =>
    stream === undefined ? { kind: 'clock.wall', value } : { kind: 'clock.wall', value, stream },
  );

describe('compareLogs', () => {
  it('finds the first departure stream by stream, for any two multi-stream logs', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), record), { maxLength: 4 }),
        fc.nat(),
        (log, inserts, cut) => {
          // Same draws per stream: equal whatever the order across streams.
          expect(compareLogs(log, log)).toBeUndefined();
          const byStreamOrder = [...log].sort((x, y) =>
            (x.stream ?? '').localeCompare(y.stream ?? ''),
          );
          expect(compareLogs(log, byStreamOrder)).toBeUndefined();
          // Extra draws anywhere, and a truncated log, in both directions.
          const longer = [...log];
          for (const [at, extra] of inserts) longer.splice(at % (longer.length + 1), 0, extra);
          const shorter = log.slice(0, cut % (log.length + 1));
          for (const [x, y] of [
            [log, longer],
            [longer, log],
            [log, shorter],
            [shorter, log],
            [longer, byStreamOrder],
          ] as const) {
            expect(compareLogs(x, y)).toEqual(reference(x, y));
          }
        },
      ),
    );
  });

  it('refuses a malformed log with a typed error, not a TypeError from inside', () => {
    const good = [{ kind: 'clock.wall', value: 1 }];
    for (const [expected, actual, index] of [
      [undefined, good, null],
      [good, null, null],
      [good, [null], 0],
      [[...good, { kind: 'clock.wall' }], good, 1],
    ] as const) {
      expect(() => compareLogs(expected as never, actual as never)).toThrow(
        expect.objectContaining({
          code: 'NONDET_LOG_INVALID',
          details: expect.objectContaining({ index }),
        }),
      );
    }
  });
});
