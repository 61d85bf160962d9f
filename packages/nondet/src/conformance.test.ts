import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  drifting,
  live,
  type NondetSource,
  recording,
  replay,
  seeded,
  uuidV7Timestamp,
} from './index.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One pass over every draw, checking each value has the shape its kind promises. */
function exercise(source: NondetSource): unknown[] {
  const out: unknown[] = [];
  const now = source.now();
  expect(Number.isSafeInteger(now)).toBe(true);
  const date = source.date();
  expect(date).toBeInstanceOf(Date);
  expect(Number.isNaN(date.getTime())).toBe(false);
  const iso = source.iso();
  expect(new Date(iso).toISOString()).toBe(iso);
  expect(source.monotonic()).toBeTypeOf('number');
  expect(source.uuidV4()).toMatch(UUID_V4);
  const v7 = source.uuidV7();
  expect(v7).toMatch(UUID_V7);
  expect(uuidV7Timestamp(v7)).toBeGreaterThan(0);
  const f = source.float();
  expect(f >= 0 && f < 1).toBe(true);
  const i = source.int(-3, 3);
  expect(Number.isInteger(i) && i >= -3 && i <= 3).toBe(true);
  expect(source.int(5, 5)).toBe(5);
  const big = source.int(-(10n ** 40n), 10n ** 40n);
  expect(typeof big === 'bigint' && big >= -(10n ** 40n) && big <= 10n ** 40n).toBe(true);
  expect(source.bytes(0)).toEqual(new Uint8Array(0));
  const bytes = source.bytes(70_000);
  expect(bytes).toBeInstanceOf(Uint8Array);
  expect(bytes.length).toBe(70_000);
  expect(source.draw('cfg', () => ({ mode: 'x' }))).toEqual({ mode: 'x' });
  const w = source.stream('w');
  expect(w.streamName).toBe('w');
  expect(source.stream('w')).toBe(w);
  expect(w.stream('v').streamName).toBe('v');
  out.push(now, iso, f, i, big, w.float());
  return out;
}

function expectInvalidArguments(source: NondetSource): void {
  const bad: (() => unknown)[] = [
    () => source.int(2, 1),
    () => source.int(0.5, 2),
    () => source.int(0, 2 ** 53),
    () => source.int(0 as never, 2n as never),
    () => source.int(3n, 2n),
    () => source.bytes(-1),
    () => source.bytes(1.5),
    () => source.bytes(Number.NaN),
    () => source.draw('', () => 1),
    () => source.draw('x', 'value' as never),
    () => source.draw('x', () => 1, {} as never),
    () => source.stream(''),
  ];
  for (const call of bad)
    expect(call).toThrow(expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }));
}

function recorded(): unknown[] {
  const rec = recording(seeded({ seed: 'conformance' }));
  exercise(rec);
  return rec.log() as unknown[];
}

const implementations: [string, () => NondetSource][] = [
  ['live', () => live()],
  ['seeded', () => seeded({ seed: 3 })],
  ['recording(live)', () => recording()],
  ['recording(seeded)', () => recording(seeded())],
  ['replay', () => replay(recorded())],
  ['drifting', () => drifting(recorded())],
];

describe.each(implementations)('%s conforms to NondetSource', (_name, make) => {
  it('every draw has the shape its kind promises', () => {
    exercise(make());
  });

  it('bad arguments are typed errors that consume no draw', () => {
    const source = make();
    expectInvalidArguments(source);
    exercise(source);
  });
});

// Replay and drifting serve a fixed log, so only the sources that make values are sampled here.
describe.each(implementations.filter(([name]) => name !== 'replay' && name !== 'drifting'))(
  '%s draws integers',
  (_name, make) => {
    it('integers stay in range for any range, numbers and bigints', () => {
      const source = make();
      fc.assert(
        fc.property(
          fc.maxSafeInteger(),
          fc.maxSafeInteger(),
          fc.bigInt(),
          fc.bigInt(),
          (a, b, c, d) => {
            const [min, max] = a <= b ? [a, b] : [b, a];
            const n = source.int(min, max);
            expect(Number.isSafeInteger(n) && n >= min && n <= max).toBe(true);
            const [lo, hi] = c <= d ? [c, d] : [d, c];
            const m = source.int(lo, hi);
            expect(m >= lo && m <= hi).toBe(true);
          },
        ),
      );
    });
  },
);

describe('random draws are not lopsided', () => {
  it.each([
    ['live', live()],
    ['seeded', seeded()],
  ])('%s: int(0, 5) hits every value about equally, and float covers [0, 1)', (_name, source) => {
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[source.int(0, 5)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800); // expected 1000; 800 is > 7 sigma away
    let low = 0;
    for (let i = 0; i < 2000; i++) if (source.float() < 0.5) low++;
    expect(low).toBeGreaterThan(800);
    expect(low).toBeLessThan(1200);
  });
});
