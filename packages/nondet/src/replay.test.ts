import { TraceError } from '@trace/spec';
import { describe, expect, it } from 'vitest';
import {
  bigintCodec,
  bytesCodec,
  float64Codec,
  live,
  NondetDivergenceError,
  NondetError,
  recording,
  replay,
  seeded,
  validateLog,
} from './index.js';

function thrown(fn: () => unknown): NondetError {
  try {
    fn();
  } catch (error) {
    if (NondetError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a NondetError, nothing was thrown');
}

async function rejected(promise: Promise<unknown>): Promise<NondetError> {
  try {
    await promise;
  } catch (error) {
    if (NondetError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('divergence errors', () => {
  it('a draw of another kind names the index, stream, expected kind and value, and what was asked', () => {
    const rep = replay([
      { kind: 'clock.wall', value: 5 },
      { kind: 'random.float', value: '3fe0000000000000', stream: 'w' },
    ]);
    const error = thrown(() => rep.stream('w').uuidV4());
    expect(NondetDivergenceError.isInstance(error)).toBe(true);
    expect(TraceError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(NondetError);
    expect(error.code).toBe('NONDET_DIVERGED');
    expect(error.details).toEqual({
      reason: 'kind-mismatch',
      index: 1,
      stream: 'w',
      streamIndex: 0,
      expected: { kind: 'random.float', value: '3fe0000000000000' },
      asked: { kind: 'uuid.v4' },
    });
    expect(error.message).toContain('draw #1 (stream "w", its draw #0)');
    expect(error.message).toContain('recorded random.float "3fe0000000000000"');
    expect(error.message).toContain('asked for uuid.v4');
    expect(error.message).toContain('re-record');
    // The cursor did not move: the recorded draw is still there for the right ask.
    expect(rep.stream('w').float()).toBe(0.5);
    expect(rep.now()).toBe(5);
    rep.assertConsumed();
  });

  it('past the end names the stream and what was asked', () => {
    const rep = replay([{ kind: 'random.bytes', value: 'AAE=' }]);
    expect(rep.bytes(2)).toEqual(new Uint8Array([0, 1]));
    const error = thrown(() => rep.bytes(2));
    expect(error.details).toMatchObject({
      reason: 'past-end',
      index: 1,
      streamIndex: 1,
      stream: null,
      expected: null,
      asked: { kind: 'random.bytes', length: 2 },
    });
    expect(error.message).toContain('past the end of the log at draw #1');
    expect(error.message).toContain('random.bytes of 2 bytes');
    const onStream = thrown(() => rep.stream('never').float());
    expect(onStream.details).toMatchObject({ stream: 'never', streamIndex: 0 });
    expect(onStream.message).toContain('no more draws on stream "never"');
  });

  it('another range or length than recorded is an ask mismatch', () => {
    const rec = recording(seeded());
    rec.int(1, 6);
    rec.bytes(4);
    rec.int(0n, 10n);
    const log = rec.log();
    const a = thrown(() => replay(log).int(1, 7));
    expect(a.details).toMatchObject({
      reason: 'ask-mismatch',
      index: 0,
      asked: { kind: 'random.int', min: '1', max: '7' },
    });
    expect(a.message).toContain('was drawn from [1, 6], but the run asked for [1, 7]');
    const rep = replay(log);
    rep.int(1, 6);
    expect(thrown(() => rep.bytes(5)).details).toMatchObject({ reason: 'ask-mismatch', index: 1 });
    rep.bytes(4);
    expect(rep.int(0n, 10n)).toBeTypeOf('bigint');
  });

  it('a recorded value its kind cannot hold is a bad value, not a crash', () => {
    const bad: [string, unknown][] = [
      ['clock.wall', 1.5],
      ['clock.wall', '5'],
      ['clock.monotonic', 'xyz'],
      ['random.float', '3FE0000000000000'],
      ['uuid.v4', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'],
      ['uuid.v7', 'not a uuid'],
      ['random.int', { min: '0', max: '9', value: '10' }],
      ['random.int', { min: '00', max: '9', value: '1' }],
      ['random.int', [1]],
      ['random.bytes', 'Zh=='],
      ['random.bytes', 'Z g='],
    ];
    for (const [kind, value] of bad) {
      const rep = replay([{ kind, value }]);
      const ask: Record<string, () => unknown> = {
        'clock.wall': () => rep.now(),
        'clock.monotonic': () => rep.monotonic(),
        'random.float': () => rep.float(),
        'uuid.v4': () => rep.uuidV4(),
        'uuid.v7': () => rep.uuidV7(),
        'random.int': () => rep.int(0, 9),
        'random.bytes': () => rep.bytes(1),
      };
      const error = thrown(ask[kind]!);
      expect(error.details.reason, `${kind} ${JSON.stringify(value)}`).toBe('bad-value');
    }
  });
});

describe('named sources', () => {
  it('are recorded with their name, served back without calling the producer', () => {
    const rec = recording();
    expect(rec.draw('env:HOME', () => '/home/a')).toBe('/home/a');
    expect(rec.draw('count', () => 7)).toBe(7);
    const rep = replay(rec.log());
    let called = false;
    const produce = () => {
      called = true;
      return 'live';
    };
    expect(rep.draw('env:HOME', produce)).toBe('/home/a');
    expect(thrown(() => rep.draw('other', produce)).details).toMatchObject({
      reason: 'kind-mismatch',
      expected: { kind: 'source:count' },
      asked: { kind: 'source:other' },
    });
    expect(called).toBe(false);
  });

  it('a failing source is logged and fails the same draw on replay', async () => {
    const rec = recording();
    expect(() =>
      rec.draw('tool', () => {
        throw new TypeError('tool unreachable');
      }),
    ).toThrow(TypeError);
    await expect(
      rec.drawAsync('slow', async () => Promise.reject(new Error('timed out'))),
    ).rejects.toThrow('timed out');
    const log = rec.log();
    expect(log).toEqual([
      { kind: 'source.failed:tool', value: { name: 'TypeError', message: 'tool unreachable' } },
      { kind: 'source.failed:slow', value: { name: 'Error', message: 'timed out' } },
    ]);
    const rep = replay(log);
    const error = thrown(() => rep.draw('tool', () => 'x'));
    expect(error.code).toBe('NONDET_SOURCE_FAILED');
    expect(error.details).toMatchObject({
      name: 'tool',
      index: 0,
      error: { name: 'TypeError', message: 'tool unreachable' },
    });
    expect(error.message).toContain('TypeError: tool unreachable');
    expect((await rejected(rep.drawAsync('slow', () => 'x'))).code).toBe('NONDET_SOURCE_FAILED');
    rep.assertConsumed();
    // Re-recording the replay keeps the original failure, not the replay's error.
    const again = recording(replay(log));
    expect(() => again.draw('tool', () => 'x')).toThrow();
    expect(again.log()[0]).toEqual(log[0]);
  });

  it('a producer that throws a value with no string form is rethrown as is and logged as a failure', async () => {
    const rec = recording();
    const odd = Object.create(null) as object; // String(odd) throws
    let caught: unknown;
    try {
      rec.draw('tool', () => {
        throw odd;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(odd);
    await expect(
      rec.drawAsync('slow', async () => {
        throw odd;
      }),
    ).rejects.toBe(odd);
    // The draws' places in the log were settled: the log is complete and replays.
    const log = rec.log();
    expect(log).toEqual([
      { kind: 'source.failed:tool', value: { name: 'object', message: '[object Object]' } },
      { kind: 'source.failed:slow', value: { name: 'object', message: '[object Object]' } },
    ]);
    const rep = replay(log);
    expect(thrown(() => rep.draw('tool', () => 'x')).code).toBe('NONDET_SOURCE_FAILED');
    expect((await rejected(rep.drawAsync('slow', () => 'x'))).code).toBe('NONDET_SOURCE_FAILED');
    rep.assertConsumed();
  });

  it('a value with no JSON form is a typed error, logged as a failure', () => {
    const rec = recording();
    for (const value of [undefined, Number.NaN, new Date(0), new Map(), () => 1, 1n]) {
      const error = thrown(() => rec.draw('x', () => value as never));
      expect(error.code).toBe('NONDET_NOT_JSON');
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(thrown(() => rec.draw('x', () => cyclic as never)).details).toMatchObject({
      path: '$.self',
      problem: 'refers back to itself (a cycle)',
    });
    expect(rec.log().every((r) => r.kind === 'source.failed:x')).toBe(true);
    // Shared (not cyclic) references are fine.
    const shared = { a: 1 };
    expect(rec.draw('y', () => ({ p: shared, q: shared }))).toEqual({ p: { a: 1 }, q: { a: 1 } });
  });

  it('codecs carry values JSON cannot: any double, bytes, bigints', () => {
    const rec = recording();
    const doubles = [Number.NaN, -0, 5e-324, Number.POSITIVE_INFINITY];
    for (const d of doubles)
      expect(
        Object.is(
          rec.draw('d', () => d, float64Codec),
          d,
        ),
      ).toBe(true);
    rec.draw('b', () => new Uint8Array([1, 2, 3]), bytesCodec);
    rec.draw('n', () => 2n ** 100n, bigintCodec);
    const rep = replay(JSON.parse(JSON.stringify(rec.log())));
    for (const d of doubles)
      expect(
        Object.is(
          rep.draw('d', () => 0, float64Codec),
          d,
        ),
      ).toBe(true);
    expect(rep.draw('b', () => new Uint8Array(), bytesCodec)).toEqual(new Uint8Array([1, 2, 3]));
    expect(rep.draw('n', () => 0n, bigintCodec)).toBe(2n ** 100n);
  });

  it('a codec that cannot decode the recorded value is a bad-value divergence that keeps the cause', () => {
    const rep = replay([{ kind: 'source:d', value: 'not hex' }]);
    const error = thrown(() => rep.draw('d', () => 0, float64Codec));
    expect(error.details.reason).toBe('bad-value');
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('async draws take their place when called, so replay serves them in call order', async () => {
    const rec = recording();
    let releaseFirst!: () => void;
    const first = rec.drawAsync(
      'tool',
      () => new Promise<string>((resolve) => (releaseFirst = () => resolve('first'))),
    );
    const second = rec.drawAsync('tool', async () => 'second');
    await second;
    // The first is still in flight: the log is not complete.
    expect(thrown(() => rec.log()).code).toBe('NONDET_DRAWS_PENDING');
    rec.now();
    releaseFirst();
    await first;
    expect(rec.log().map((r) => r.value)).toEqual(['first', 'second', expect.any(Number)]);
    const rep = replay(rec.log());
    const [a, b] = await Promise.all([
      rep.drawAsync('tool', () => 'x'),
      rep.drawAsync('tool', () => 'y'),
    ]);
    expect([a, b]).toEqual(['first', 'second']);
  });

  it('a producer that throws synchronously inside drawAsync rejects, never throws', async () => {
    const promise = live().drawAsync('x', () => {
      throw new Error('sync');
    });
    await expect(promise).rejects.toThrow('sync');
    await expect(live().drawAsync('', () => 1)).rejects.toMatchObject({
      code: 'NONDET_INVALID_ARGUMENT',
    });
  });
});

describe('leftover draws on named streams', () => {
  it('are counted per stream whatever the names, "constructor" and "__proto__" included', () => {
    const rec = recording(seeded());
    rec.stream('constructor').float();
    rec.stream('__proto__').now();
    rec.stream('__proto__').now();
    rec.stream('toString').uuidV4();
    rec.float();
    const rep = replay(rec.log());
    rep.stream('toString').uuidV4();
    expect(rep.leftover()).toEqual({
      count: 4,
      draws: [
        expect.objectContaining({ index: 0, stream: 'constructor', streamIndex: 0 }),
        expect.objectContaining({ index: 1, stream: '__proto__', streamIndex: 0 }),
        expect.objectContaining({ index: 2, stream: '__proto__', streamIndex: 1 }),
        expect.objectContaining({ index: 4, streamIndex: 0, kind: 'random.float' }),
      ],
    });
    const error = thrown(() => rep.assertConsumed());
    expect(error.code).toBe('NONDET_UNCONSUMED');
    expect(error.details).toMatchObject({ count: 4, index: 0, stream: 'constructor' });
    const byStream = error.details.byStream as Record<string, unknown>;
    expect(Object.entries(byStream)).toEqual([
      ['constructor', 1],
      ['__proto__', 2],
      ['', 1],
    ]);
  });
});

describe('what a replay hands out', () => {
  it('leftover draws and error details are copies: editing them cannot change what is served', () => {
    const log = [
      { kind: 'random.int', value: { min: '1', max: '6', value: '4' } },
      { kind: 'source:cfg', value: { mode: 'safe' } },
      { kind: 'source.failed:tool', value: { name: 'Error', message: 'down' } },
    ];
    const rep = replay(log);
    const left = rep.leftover().draws;
    (left[0]!.value as Record<string, string>).value = '6';
    (left[1]!.value as Record<string, string>).mode = 'unsafe';
    const mismatch = thrown(() => rep.float());
    (mismatch.details.expected as { value: Record<string, string> }).value.value = '5';
    expect(rep.int(1, 6)).toBe(4);
    const wrongAsk = thrown(() => rep.draw('other', () => null));
    (wrongAsk.details.expected as { value: Record<string, string> }).value.mode = 'edited';
    expect(rep.draw('cfg', () => null)).toEqual({ mode: 'safe' });
    expect(thrown(() => rep.draw('tool', () => null)).code).toBe('NONDET_SOURCE_FAILED');
    expect(rep.leftover().count).toBe(0);
    expect(log[0]!.value).toEqual({ min: '1', max: '6', value: '4' });
  });
});

describe('validateLog', () => {
  it('refuses malformed logs with the index and the problem', () => {
    const cases: [unknown, number | null, string][] = [
      [{}, null, 'expected an array'],
      [[null], 0, 'expected an object'],
      [[{ kind: 'clock.wall', value: 1, extra: 1 }], 0, 'unknown key "extra"'],
      [
        [
          { kind: 'clock.wall', value: 1 },
          { kind: '', value: 1 },
        ],
        1,
        'kind is not a non-empty string',
      ],
      [[{ kind: 'clock.wall' }], 0, 'it has no value'],
      [[{ kind: 'x', value: Number.NaN }], 0, 'not JSON'],
      [[{ kind: 'x', value: 1, stream: '' }], 0, 'stream'],
      [[{ kind: 'x', value: 1, stream: 3 }], 0, 'stream'],
    ];
    for (const [log, index, problem] of cases) {
      const error = thrown(() => replay(log));
      expect(error.code).toBe('NONDET_LOG_INVALID');
      expect(error.details.index).toBe(index);
      expect(error.message).toContain(problem);
    }
    expect(thrown(() => validateLog(new Array(2))).details.index).toBe(0);
  });

  it('accepts exactly what a recording writes, and copies it', () => {
    const rec = recording();
    rec.now();
    rec.stream('s').float();
    const log = rec.log();
    const valid = validateLog(log);
    expect(valid).toEqual(log);
    expect(valid[0]).not.toBe(log[0]);
  });
});

describe('errors', () => {
  it('are branded so they are recognised across copies, and carry stable codes', () => {
    const error = thrown(() => live().int(2, 1));
    expect(error.code).toBe('NONDET_INVALID_ARGUMENT');
    expect(error.name).toBe('NondetError');
    expect(NondetDivergenceError.isInstance(error)).toBe(false);
    const branded = (error as unknown as Record<symbol, unknown>)[
      Symbol.for('@trace/nondet.NondetError')
    ];
    expect(branded).toBe(true);
  });
});
