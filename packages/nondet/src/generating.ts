import { invalidArgument } from './errors.js';
import { type Generator, LIVE } from './generator.js';
import type { Kind } from './kinds.js';
import { SeededGenerator } from './prng.js';
import {
  BaseSource,
  type DrawCodec,
  type NondetSource,
  outsideScope,
  sourceKind,
} from './source.js';
import { decodeSourceValue, encodeSourceValue } from './source-values.js';

/** Runs a named source and puts its value through the log's JSON form, as a recording would. */
export function produceSourceValue(
  name: string,
  produce: () => unknown,
  codec: DrawCodec<unknown> | undefined,
): unknown {
  const value = outsideScope(produce);
  return decodeSourceValue(encodeSourceValue(sourceKind(name), value, codec), codec);
}

/** `produceSourceValue` for a producer that may return a promise. */
export async function produceSourceValueAsync(
  name: string,
  produce: () => unknown,
  codec: DrawCodec<unknown> | undefined,
): Promise<unknown> {
  const value = await outsideScope(produce);
  return decodeSourceValue(encodeSourceValue(sourceKind(name), value, codec), codec);
}

/** A source whose values come straight from a generator: one per stream. */
class GeneratingSource extends BaseSource {
  constructor(
    private readonly generatorFor: (stream: string | undefined) => Generator,
    stream: string | undefined,
    views: Map<string, BaseSource> | undefined,
    private readonly gen: Generator = generatorFor(stream),
  ) {
    super(stream, views);
  }
  protected view(name: string, views: Map<string, BaseSource>): BaseSource {
    return new GeneratingSource(this.generatorFor, name, views);
  }
  protected take<T, P>(kind: Kind<T, P>, param: P): T {
    return kind.generate(this.gen, param);
  }
  protected takeSource(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): unknown {
    return produceSourceValue(name, produce, codec);
  }
  protected takeSourceAsync(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): Promise<unknown> {
    return produceSourceValueAsync(name, produce, codec);
  }
}

/**
 * The real sources: the platform's clocks, `crypto` and `Math.random`, as they were before any
 * `withGlobals` patch. Streams make no difference to a live source.
 */
export function live(): NondetSource {
  return new GeneratingSource(() => LIVE, undefined, undefined);
}

/** Options for `seeded()`. */
export interface SeededOptions {
  /** The seed; equal seeds give equal draws. Default 0. */
  readonly seed?: number | string;
  /**
   * The wall clock's first reading, Unix-epoch ms, within the ±8.64e15 a `Date` can hold. Default
   * 946684800000 (2000-01-01T00:00:00Z).
   */
  readonly startMs?: number;
  /** How far both clocks move on each reading, ms (0 freezes them). Default 1. */
  readonly stepMs?: number;
}

/** 2000-01-01T00:00:00.000Z: far enough from now that a seeded time is never mistaken for a live one. */
const DEFAULT_START = 946_684_800_000;
/** The furthest instant from the epoch a `Date` can hold, in ms (ECMAScript's time value range). */
const MAX_DATE_MS = 8.64e15;

/**
 * A deterministic source for tests without a tape: a seeded PRNG (xoshiro128**) and a virtual clock
 * that starts at `startMs` and moves `stepMs` per reading. Each stream has its own PRNG and clock,
 * derived from the seed and the stream name, so draws on one stream do not depend on draws on
 * another. Named sources still run their producer.
 */
export function seeded(options: SeededOptions | number | string = {}): NondetSource {
  // `seeded(42)` is what people type: the seed alone. Anything else that is not an options
  // object would otherwise read as "no options" and silently give every caller seed 0.
  if (typeof options === 'number' || typeof options === 'string') options = { seed: options };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidArgument(
      'seeded() takes a seed (`seeded(42)`) or options (`seeded({ seed: 42 })`).',
      {
        argument: 'options',
      },
    );
  }
  const { seed = 0, startMs = DEFAULT_START, stepMs = 1 } = options;
  if (!((typeof seed === 'number' && Number.isFinite(seed)) || typeof seed === 'string')) {
    throw invalidArgument('seeded({ seed }) needs a finite number or a string.', {
      argument: 'seed',
    });
  }
  // A clock a Date cannot hold would make date() an Invalid Date and iso() throw a RangeError.
  if (!Number.isSafeInteger(startMs) || Math.abs(startMs) > MAX_DATE_MS) {
    throw invalidArgument(
      `seeded({ startMs }) needs an integer number of milliseconds a Date can hold (at most ${MAX_DATE_MS} from the epoch); got ${String(startMs)}.`,
      { argument: 'startMs' },
    );
  }
  if (!Number.isSafeInteger(stepMs) || stepMs < 0) {
    throw invalidArgument(
      'seeded({ stepMs }) needs a non-negative integer number of milliseconds.',
      { argument: 'stepMs' },
    );
  }
  const base = `${typeof seed}:${seed}`;
  return new GeneratingSource(
    (stream) =>
      new SeededGenerator(stream === undefined ? base : `${base}\u0000${stream}`, startMs, stepMs),
    undefined,
    undefined,
  );
}
