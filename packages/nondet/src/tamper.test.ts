import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { perform, type Step, sameValue } from './__tests__/program.js';
import {
  compareLogs,
  type DrawRecord,
  NondetDivergenceError,
  NondetError,
  recording,
  replay,
  seeded,
} from './index.js';

/**
 * Programs whose draws are all distinct (a seeded source, wide ranges, a counter in each named
 * source), so a tampered draw can only be confused with itself and its index is unambiguous.
 */
const distinctStep: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ t: 'now', value: 0 } as const),
  fc.constant({ t: 'monotonic', value: 0 } as const),
  fc.constant({ t: 'float', value: 0 } as const),
  fc.constant({ t: 'uuidV4', value: '' } as const),
  fc.constant({ t: 'uuidV7', value: '' } as const),
  fc.constant({ t: 'int', min: 0, max: 2 ** 48, value: 0 } as const),
  fc.constant({ t: 'bigint', min: -(2n ** 100n), max: 2n ** 100n, value: 0n } as const),
  fc.constant({ t: 'bytes', value: new Uint8Array(12) } as const),
  fc.constant({ t: 'source', name: 'tool', value: null } as const),
);

/** Gives every named-source step its own value so no two draws are equal. */
function program(steps: readonly Step[]): Step[] {
  return steps.map((step, i) => (step.t === 'source' ? { ...step, value: { call: i } } : step));
}

function record(
  steps: readonly Step[],
  seed: number,
  startMs?: number,
): { log: DrawRecord[]; values: unknown[] } {
  const rec = recording(seeded(startMs === undefined ? { seed } : { seed, startMs }));
  const values = steps.map((step) => perform(rec, step));
  return { log: rec.log(), values };
}

interface Departure {
  /** The first step whose draw threw or differed from the original run; -1 if none. */
  readonly at: number;
  readonly error?: unknown;
  /** Every step whose value differed (when nothing threw). */
  readonly differing: number[];
  /** The error at the end of the run, from `assertConsumed()`, if any. */
  readonly endError?: unknown;
}

function replayAgainst(
  log: unknown,
  steps: readonly Step[],
  original: readonly unknown[],
): Departure {
  const rep = replay(log);
  const differing: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    let value: unknown;
    try {
      value = perform(rep, steps[i]!);
    } catch (error) {
      return { at: differing[0] ?? i, error, differing };
    }
    if (!sameValue(value, original[i])) differing.push(i);
  }
  try {
    rep.assertConsumed();
  } catch (endError) {
    return { at: differing[0] ?? steps.length, differing, endError };
  }
  return { at: differing[0] ?? -1, differing };
}

function expectCaughtAt(departure: Departure, index: number): void {
  expect(departure.at).toBe(index);
  if (departure.error !== undefined && departure.differing.length === 0) {
    expect(NondetDivergenceError.isInstance(departure.error)).toBe(true);
    expect((departure.error as NondetError).details.index).toBe(index);
  }
}

const BUILT_IN_KINDS = [
  'clock.wall',
  'clock.monotonic',
  'uuid.v4',
  'uuid.v7',
  'random.float',
  'random.int',
  'random.bytes',
  'source:tool',
];

/** A changed value: valid for the kind but different, or not valid for it at all. */
function changedValue(record: DrawRecord, variant: number): DrawRecord['value'] {
  const v = record.value;
  if (variant === 0) return true; // never a valid value for a built-in kind
  switch (record.kind) {
    case 'clock.wall':
      return (v as number) + variant;
    case 'clock.monotonic':
    case 'random.float':
      return (v as string).slice(0, 15) + ((v as string).endsWith('0') ? '1' : '0');
    case 'uuid.v4':
    case 'uuid.v7':
      return (v as string).slice(0, -1) + ((v as string).endsWith('a') ? 'b' : 'a');
    case 'random.int': {
      const r = v as { min: string; max: string; value: string };
      return variant === 1
        ? { ...r, value: r.value === r.min ? r.max : r.min }
        : { ...r, min: `${BigInt(r.min) - 1n}` };
    }
    case 'random.bytes':
      return variant === 1 ? 'AAAAAAAAAAAAAAAA' : 'AAAA';
    default:
      return { changed: variant };
  }
}

describe('a tampered log is caught at the tampered draw', () => {
  const cases = fc
    .tuple(
      fc.array(distinctStep, { minLength: 1, maxLength: 25 }),
      fc.integer(),
      fc.nat(),
      fc.nat({ max: 2 }),
    )
    .map(([steps, seed, pick, variant]) => ({ steps: program(steps), seed, pick, variant }));

  it('a changed kind', () => {
    fc.assert(
      fc.property(cases, ({ steps, seed, pick, variant }) => {
        const { log, values } = record(steps, seed);
        const i = pick % log.length;
        const others = BUILT_IN_KINDS.filter((k) => k !== log[i]!.kind);
        log[i] = { ...log[i]!, kind: others[variant % others.length]! };
        const departure = replayAgainst(log, steps, values);
        expectCaughtAt(departure, i);
        expect((departure.error as NondetError).details.reason).toBe('kind-mismatch');
      }),
    );
  });

  it('a changed kind on a named stream: caught at its index in the whole log and its stream', () => {
    fc.assert(
      fc.property(
        cases,
        fc.array(fc.constantFrom(undefined, 'a', 'b'), { minLength: 25, maxLength: 25 }),
        ({ steps, seed, pick, variant }, streams) => {
          const onStreams = steps.map((step, i) =>
            streams[i] === undefined ? step : { ...step, stream: streams[i] },
          );
          const { log, values } = record(onStreams, seed);
          const i = pick % log.length;
          const others = BUILT_IN_KINDS.filter((k) => k !== log[i]!.kind);
          log[i] = { ...log[i]!, kind: others[variant % others.length]! };
          const departure = replayAgainst(log, onStreams, values);
          expectCaughtAt(departure, i);
          const streamIndex = log.slice(0, i).filter((r) => r.stream === log[i]!.stream).length;
          expect((departure.error as NondetError).details).toMatchObject({
            reason: 'kind-mismatch',
            stream: log[i]!.stream ?? null,
            streamIndex,
          });
        },
      ),
    );
  });

  it('a changed value: refused at its index, or served there and nowhere else', () => {
    fc.assert(
      fc.property(cases, ({ steps, seed, pick, variant }) => {
        const { log, values } = record(steps, seed);
        const i = pick % log.length;
        log[i] = { ...log[i]!, value: changedValue(log[i]!, variant) };
        const departure = replayAgainst(log, steps, values);
        expectCaughtAt(departure, i);
        if (departure.error === undefined) {
          expect(departure.differing).toEqual([i]);
          expect(departure.endError).toBeUndefined();
          // Re-recording the replay and comparing with the original log points at the change.
          const rerecorded = recording(replay(log));
          for (const step of steps) perform(rerecorded, step);
          expect(compareLogs(record(steps, seed).log, rerecorded.log())?.expected?.index).toBe(i);
        } else {
          expect(['bad-value', 'ask-mismatch']).toContain(
            (departure.error as NondetError).details.reason,
          );
        }
      }),
    );
  });

  it('a removed draw', () => {
    fc.assert(
      fc.property(cases, ({ steps, seed, pick }) => {
        const { log, values } = record(steps, seed);
        const i = pick % log.length;
        log.splice(i, 1);
        const departure = replayAgainst(log, steps, values);
        expectCaughtAt(departure, i);
        // A shorter log can never be replayed to the end.
        expect(departure.error).toBeDefined();
      }),
    );
  });

  it('an inserted draw', () => {
    fc.assert(
      fc.property(cases, fc.nat({ max: BUILT_IN_KINDS.length - 1 }), ({ steps, seed, pick }, k) => {
        const { log, values } = record(steps, seed);
        const i = pick % (log.length + 1);
        // Another seed and clock start: the inserted draw equals none of the program's own.
        const donor = record([steps[k % steps.length]!], seed + 1, 1_000).log[0]!;
        // Inserting a copy of the draw already there is indistinguishable from inserting it after.
        fc.pre(i === log.length || compareLogs([donor], [log[i]!]) !== undefined);
        log.splice(i, 0, donor);
        const departure = replayAgainst(log, steps, values);
        expectCaughtAt(departure, i);
        // A longer log always leaves something behind, unless the run already diverged.
        if (departure.error === undefined) {
          expect(NondetError.isInstance(departure.endError) && departure.endError.code).toBe(
            'NONDET_UNCONSUMED',
          );
        }
      }),
    );
  });

  it('reordered draws', () => {
    fc.assert(
      fc.property(cases, fc.nat(), ({ steps, seed, pick }, other) => {
        fc.pre(steps.length >= 2);
        const { log, values } = record(steps, seed);
        const a = pick % log.length;
        let b = other % log.length;
        if (b === a) b = (a + 1) % log.length;
        [log[a], log[b]] = [log[b]!, log[a]!];
        expectCaughtAt(replayAgainst(log, steps, values), Math.min(a, b));
      }),
    );
  });
});

describe('leftover draws', () => {
  it('are reported, with their index, stream and kind, when the run draws less than was recorded', () => {
    fc.assert(
      fc.property(
        fc.array(distinctStep, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer(),
        (raw, cut, seed) => {
          const steps = program(raw);
          const { log } = record(steps, seed);
          const used = cut % (steps.length + 1);
          const rep = replay(log);
          for (const step of steps.slice(0, used)) perform(rep, step);
          const report = rep.leftover();
          expect(report.count).toBe(steps.length - used);
          expect(report.draws.map((d) => d.index)).toEqual(log.map((_, i) => i).slice(used));
          expect(report.draws.map((d) => d.kind)).toEqual(log.slice(used).map((r) => r.kind));
          if (used === steps.length) {
            rep.assertConsumed();
          } else {
            let thrown: unknown;
            try {
              rep.assertConsumed();
            } catch (error) {
              thrown = error;
            }
            expect(NondetDivergenceError.isInstance(thrown)).toBe(true);
            const error = thrown as NondetError;
            expect(error.code).toBe('NONDET_UNCONSUMED');
            expect(error.details).toMatchObject({
              index: used,
              count: steps.length - used,
              stream: null,
              expected: log[used],
            });
            expect(error.message).toContain(`draw #${used}`);
          }
        },
      ),
    );
  });
});
