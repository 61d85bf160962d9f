import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seeded, uuidV7Timestamp } from './index.js';

function sample(seed: number | string): unknown[] {
  const s = seeded({ seed });
  return [s.float(), s.uuidV4(), s.int(0, 1000), s.bytes(7), s.int(0n, 2n ** 90n), s.uuidV7()];
}

describe('seeded', () => {
  it('equal seeds give equal draws; different seeds give different ones', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string()),
        fc.oneof(fc.integer(), fc.string()),
        (a, b) => {
          expect(sample(a)).toEqual(sample(a));
          if (a !== b) expect(sample(a)).not.toEqual(sample(b));
        },
      ),
      { numRuns: 50 },
    );
    // A number seed and the same digits as a string are different seeds.
    expect(sample(1)).not.toEqual(sample('1'));
  });

  it('pins the sequence for a seed, so a PRNG change cannot pass unnoticed', () => {
    const s = seeded({ seed: 42 });
    const first = [s.float(), s.int(1, 100), s.uuidV4()];
    const again = seeded({ seed: 42 });
    expect([again.float(), again.int(1, 100), again.uuidV4()]).toEqual(first);
    expect(first).toEqual([0.07221746580624777, 40, '2e690199-5588-42ec-8169-433260bb5aaa']);
  });

  it('the clock starts at startMs and moves stepMs per reading, wall and monotonic alike', () => {
    const s = seeded({ startMs: 1_000, stepMs: 10 });
    expect(s.now()).toBe(1_000);
    expect(s.monotonic()).toBe(10);
    expect(s.iso()).toBe('1970-01-01T00:00:01.020Z');
    expect(uuidV7Timestamp(s.uuidV7())).toBe(1_030);
    const frozen = seeded({ stepMs: 0 });
    expect(frozen.now()).toBe(frozen.now());
    expect(seeded().now()).toBe(Date.UTC(2000, 0, 1));
    // The ends of the range a Date can hold are accepted.
    expect(seeded({ startMs: 8.64e15, stepMs: 0 }).iso()).toBe('+275760-09-13T00:00:00.000Z');
    expect(seeded({ startMs: -8.64e15 }).date().getTime()).toBe(-8.64e15);
  });

  it('each stream has its own sequence: draws on one do not depend on draws on another', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 30 }), (order) => {
        const s = seeded({ seed: 'streams' });
        const got: Record<string, number[]> = { a: [], b: [], c: [] };
        for (const name of order) got[name]!.push(s.stream(name).float());
        for (const name of ['a', 'b', 'c']) {
          const alone = seeded({ seed: 'streams' }).stream(name);
          expect(got[name]).toEqual(got[name]!.map(() => alone.float()));
        }
      }),
      { numRuns: 50 },
    );
    const s = seeded();
    expect(s.stream('a').float()).not.toBe(s.stream('b').float());
  });

  it('takes a bare seed as the seed: seeded(42) is seeded({ seed: 42 }), and seeds differ', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), (seed) => {
        expect(seeded(seed).float()).toBe(seeded({ seed }).float());
      }),
      { numRuns: 50 },
    );
    expect(seeded(42).float()).not.toBe(seeded(43).float());
  });

  it('refuses options it cannot honour', () => {
    for (const options of [null, [], true, () => 1]) {
      expect(() => seeded(options as never)).toThrow(
        expect.objectContaining({
          code: 'NONDET_INVALID_ARGUMENT',
          details: { argument: 'options' },
        }),
      );
    }
    for (const options of [
      { seed: Number.NaN },
      { seed: {} as never },
      { startMs: 1.5 },
      { startMs: 8.64e15 + 1 }, // past what a Date can hold: iso() would throw a RangeError
      { startMs: -8.64e15 - 1 },
      { stepMs: -1 },
    ]) {
      expect(() => seeded(options)).toThrow(
        expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }),
      );
    }
  });
});
