import { DrawKind } from '@trace/spec';
import { invalidArgument } from './errors.js';
import { GLOBALS } from './globals.js';
import type { JsonValue } from './json.js';
import {
  BYTES,
  FLOAT,
  INT,
  type IntRange,
  type Kind,
  MONOTONIC,
  UUID_V4,
  UUID_V7,
  WALL,
} from './kinds.js';
import { PLATFORM } from './platform.js';

/**
 * Turns a value a named source produces into JSON for the log and back. `decode(encode(v))` must
 * give a value equal to `v`: replay hands the caller `decode` of the recorded JSON.
 */
export interface DrawCodec<T> {
  encode(value: T): JsonValue;
  decode(json: JsonValue): T;
}

/**
 * The seam every nondeterministic value goes through. Live, recording, replay, drifting and seeded
 * sources all implement it; code that draws through it cannot tell which one it has.
 */
export interface NondetSource {
  /** The named stream this source draws from; undefined for the default stream. */
  readonly streamName: string | undefined;
  /**
   * A view of this source that draws from the named stream. Replay keeps order within a stream and
   * does not depend on how draws on different streams interleave. Names are flat:
   * `s.stream('a').stream('b')` is `s.stream('b')`.
   */
  stream(name: string): NondetSource;
  /** Wall clock: Unix-epoch milliseconds, an integer (`clock.wall`). */
  now(): number;
  /** The wall clock as a `Date` (one `clock.wall` draw). */
  date(): Date;
  /** The wall clock as an ISO 8601 string (one `clock.wall` draw). */
  iso(): string;
  /** Monotonic clock in milliseconds, like `performance.now()` (`clock.monotonic`). */
  monotonic(): number;
  /** A random UUIDv4, canonical lowercase (`uuid.v4`). */
  uuidV4(): string;
  /** A UUIDv7 embedding this source's wall clock, canonical lowercase (`uuid.v7`). */
  uuidV7(): string;
  /** A double in [0, 1), like `Math.random()` (`random.float`). */
  float(): number;
  /** A uniform integer in [min, max], both included; safe integers (`random.int`). */
  int(min: number, max: number): number;
  /** A uniform integer in [min, max], both included, of any size (`random.int`). */
  int(min: bigint, max: bigint): bigint;
  /** `length` random bytes (`random.bytes`). */
  bytes(length: number): Uint8Array;
  /**
   * A value from a source you name (an environment variable, a file, a tool's output), logged as
   * `source:<name>`. `produce` runs while recording and live, never on replay; it runs outside any
   * `withGlobals` scope. Without a codec it must return plain JSON. If it throws, the failure is
   * logged (`source.failed:<name>`) and replay fails that draw with `NONDET_SOURCE_FAILED`.
   */
  draw<T extends JsonValue>(name: string, produce: () => T): T;
  draw<T>(name: string, produce: () => T, codec: DrawCodec<T>): T;
  /**
   * `draw` for an asynchronous source. Its place in the log is taken when it is called, not when it
   * settles, so replay serves it in call order whatever finishes first.
   */
  drawAsync<T extends JsonValue>(name: string, produce: () => T | PromiseLike<T>): Promise<T>;
  drawAsync<T>(name: string, produce: () => T | PromiseLike<T>, codec: DrawCodec<T>): Promise<T>;
}

/** The largest `bytes()` draw: 2 GiB - 1, the most a single Uint8Array is sure to hold. */
const MAX_BYTES = 0x7fffffff;

/** Runs `fn` outside any `withGlobals` scope: a named source's producer reads the real platform. */
export function outsideScope<R>(fn: () => R): R {
  return GLOBALS.outside(fn);
}

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidArgument(`A ${what} name must be a non-empty string; got ${String(name)}.`, {
      argument: what,
    });
  }
}

function checkDraw(name: unknown, produce: unknown, codec: unknown): void {
  checkName(name, 'source');
  if (typeof produce !== 'function') {
    throw invalidArgument(`draw("${name}") needs a function that produces the value.`, {
      argument: 'produce',
    });
  }
  if (
    codec !== undefined &&
    (typeof codec !== 'object' ||
      codec === null ||
      typeof (codec as DrawCodec<unknown>).encode !== 'function' ||
      typeof (codec as DrawCodec<unknown>).decode !== 'function')
  ) {
    throw invalidArgument(
      `draw("${name}") was given a codec without encode and decode functions.`,
      {
        argument: 'codec',
      },
    );
  }
}

function checkRange(min: unknown, max: unknown): IntRange {
  if (typeof min === 'number' && typeof max === 'number') {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw invalidArgument(
        `int(min, max) needs safe integers with min <= max; got ${min}, ${max}. Pass bigints for larger ranges.`,
        { argument: 'range', min, max },
      );
    }
    return { big: false, min: min === 0 ? 0 : min, max: max === 0 ? 0 : max };
  }
  if (typeof min === 'bigint' && typeof max === 'bigint') {
    if (min > max) {
      throw invalidArgument(`int(min, max) needs min <= max; got ${min}n, ${max}n.`, {
        argument: 'range',
        min: String(min),
        max: String(max),
      });
    }
    return { big: true, min, max };
  }
  throw invalidArgument(
    'int(min, max) needs two numbers or two bigints (not a mix); use bigints for ranges beyond 2^53.',
    { argument: 'range' },
  );
}

/**
 * The typed draws, written once over a single `take` that each implementation provides. Streams are
 * views sharing their root's state; each view remembers its own stream name.
 */
export abstract class BaseSource implements NondetSource {
  readonly streamName: string | undefined;
  private readonly views: Map<string, BaseSource>;

  protected constructor(
    streamName: string | undefined,
    views: Map<string, BaseSource> | undefined,
  ) {
    this.streamName = streamName;
    this.views = views ?? new Map();
  }

  /** Makes the view of this source for another stream (called once per name). */
  protected abstract view(name: string, views: Map<string, BaseSource>): BaseSource;
  /** Draws one value of a built-in kind. */
  protected abstract take<T, P>(kind: Kind<T, P>, param: P): T;
  /** Draws one value from a named source, synchronously. */
  protected abstract takeSource(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): unknown;
  /** Draws one value from a named source that may be asynchronous. */
  protected abstract takeSourceAsync(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): Promise<unknown>;

  stream(name: string): NondetSource {
    checkName(name, 'stream');
    if (name === this.streamName) return this;
    let view = this.views.get(name);
    if (view === undefined) {
      view = this.view(name, this.views);
      this.views.set(name, view);
    }
    return view;
  }

  now(): number {
    return this.take(WALL, undefined);
  }
  date(): Date {
    return new PLATFORM.Date(this.take(WALL, undefined));
  }
  iso(): string {
    return new PLATFORM.Date(this.take(WALL, undefined)).toISOString();
  }
  monotonic(): number {
    return this.take(MONOTONIC, undefined);
  }
  uuidV4(): string {
    return this.take(UUID_V4, undefined);
  }
  uuidV7(): string {
    return this.take(UUID_V7, undefined);
  }
  float(): number {
    return this.take(FLOAT, undefined);
  }
  int(min: number, max: number): number;
  int(min: bigint, max: bigint): bigint;
  int(min: number | bigint, max: number | bigint): number | bigint {
    return this.take(INT, checkRange(min, max));
  }
  bytes(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_BYTES) {
      throw invalidArgument(
        `bytes(length) needs an integer from 0 to ${MAX_BYTES}; got ${String(length)}.`,
        { argument: 'length', length: String(length) },
      );
    }
    return this.take(BYTES, length);
  }
  draw<T extends JsonValue>(name: string, produce: () => T): T;
  draw<T>(name: string, produce: () => T, codec: DrawCodec<T>): T;
  draw(name: string, produce: () => unknown, codec?: DrawCodec<unknown>): unknown {
    checkDraw(name, produce, codec);
    return this.takeSource(name, produce, codec);
  }
  drawAsync<T extends JsonValue>(name: string, produce: () => T | PromiseLike<T>): Promise<T>;
  drawAsync<T>(name: string, produce: () => T | PromiseLike<T>, codec: DrawCodec<T>): Promise<T>;
  drawAsync(name: string, produce: () => unknown, codec?: DrawCodec<unknown>): Promise<unknown> {
    try {
      checkDraw(name, produce, codec);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.takeSourceAsync(name, produce, codec);
  }
}

/** The kind a named source's draws are logged under. */
export function sourceKind(name: string): string {
  return DrawKind.sourcePrefix + name;
}

/** The kind a named source's failures are logged under. */
export function sourceFailedKind(name: string): string {
  return DrawKind.sourceFailedPrefix + name;
}
