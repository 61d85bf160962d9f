/**
 * Test support: a "program" is a list of draws to make; `perform` makes one through any source and
 * returns what the caller saw, so record/replay/drift runs of one program can be compared.
 */
import fc from 'fast-check';
import { float64Codec } from '../codecs.js';
import { NondetError } from '../errors.js';
import { live } from '../generating.js';
import type { JsonValue } from '../json.js';
import type { DrawCodec, NondetSource } from '../source.js';

export type Step =
  | { readonly t: 'now'; readonly value: number; readonly stream?: string }
  | { readonly t: 'iso'; readonly value: number; readonly stream?: string }
  | { readonly t: 'monotonic'; readonly value: number; readonly stream?: string }
  | { readonly t: 'float'; readonly value: number; readonly stream?: string }
  | { readonly t: 'uuidV4'; readonly value: string; readonly stream?: string }
  | { readonly t: 'uuidV7'; readonly value: string; readonly stream?: string }
  | {
      readonly t: 'int';
      readonly min: number;
      readonly max: number;
      readonly value: number;
      readonly stream?: string;
    }
  | {
      readonly t: 'bigint';
      readonly min: bigint;
      readonly max: bigint;
      readonly value: bigint;
      readonly stream?: string;
    }
  | { readonly t: 'bytes'; readonly value: Uint8Array; readonly stream?: string }
  | {
      readonly t: 'source';
      readonly name: string;
      readonly value: JsonValue;
      readonly stream?: string;
    }
  | {
      readonly t: 'sourceFloat';
      readonly name: string;
      readonly value: number;
      readonly stream?: string;
    }
  | {
      readonly t: 'sourceFail';
      readonly name: string;
      readonly value: string;
      readonly stream?: string;
    };

/** What a caller saw for a named source that failed: the message, from the live or replayed error. */
export interface Failed {
  readonly failed: string;
}

function viewOf(source: NondetSource, step: Step): NondetSource {
  return step.stream === undefined ? source : source.stream(step.stream);
}

/** Makes the step's draw through `source` and returns what the caller got. */
export function perform(source: NondetSource, step: Step): unknown {
  const s = viewOf(source, step);
  switch (step.t) {
    case 'now':
      return s.now();
    case 'iso':
      return s.iso();
    case 'monotonic':
      return s.monotonic();
    case 'float':
      return s.float();
    case 'uuidV4':
      return s.uuidV4();
    case 'uuidV7':
      return s.uuidV7();
    case 'int':
      return s.int(step.min, step.max);
    case 'bigint':
      return s.int(step.min, step.max);
    case 'bytes':
      return s.bytes(step.value.length);
    case 'source':
      return s.draw(step.name, () => step.value);
    case 'sourceFloat':
      return s.draw(step.name, () => step.value, float64Codec);
    case 'sourceFail':
      try {
        return s.draw(step.name, () => {
          throw new RangeError(step.value);
        });
      } catch (error) {
        if (error instanceof RangeError) return { failed: error.message } satisfies Failed;
        if (NondetError.isInstance(error) && error.code === 'NONDET_SOURCE_FAILED') {
          return { failed: (error.details.error as { message: string }).message } satisfies Failed;
        }
        throw error;
      }
  }
}

/**
 * A source that returns the value the current step scripts, whatever it is (NaN, -0, subnormals,
 * huge integers): the inner source of a recording under test. Named sources go through a live
 * source, so they behave as in production.
 */
export class ScriptedSource implements NondetSource {
  next: unknown;
  readonly streamName = undefined;
  private readonly named = live();
  stream(): NondetSource {
    return this;
  }
  now(): number {
    return this.next as number;
  }
  date(): Date {
    return new Date(this.now());
  }
  iso(): string {
    return this.date().toISOString();
  }
  monotonic(): number {
    return this.next as number;
  }
  uuidV4(): string {
    return this.next as string;
  }
  uuidV7(): string {
    return this.next as string;
  }
  float(): number {
    return this.next as number;
  }
  int(min: number, max: number): number;
  int(min: bigint, max: bigint): bigint;
  int(): number | bigint {
    return this.next as number | bigint;
  }
  bytes(): Uint8Array {
    return (this.next as Uint8Array).slice();
  }
  draw<T>(name: string, produce: () => T, codec?: DrawCodec<T>): T {
    return codec === undefined
      ? (this.named.draw(name, produce as () => JsonValue) as T)
      : this.named.draw(name, produce, codec);
  }
  drawAsync<T>(name: string, produce: () => T | PromiseLike<T>, codec?: DrawCodec<T>): Promise<T> {
    return codec === undefined
      ? (this.named.drawAsync(name, produce as () => JsonValue) as Promise<T>)
      : this.named.drawAsync(name, produce, codec);
  }
}

/** Records `steps` through `rec` over a scripted inner source; returns what the caller saw. */
export function runScripted(
  inner: ScriptedSource,
  source: NondetSource,
  steps: readonly Step[],
): unknown[] {
  return steps.map((step) => {
    inner.next = step.value;
    return perform(source, step);
  });
}

/** Same-value deep equality: NaN equals NaN, -0 differs from 0, bytes and bigints by value. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every(
        (k) =>
          Object.hasOwn(b, k) &&
          sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return false;
}

const specialDoubles = fc.constantFrom(
  Number.NaN,
  -0,
  0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308 / 3, // a subnormal
  Number.MAX_VALUE,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0.1,
);
const anyDouble = fc.oneof(specialDoubles, fc.double());
const streamName = fc.option(fc.constantFrom('a', 'b', 'worker-3'), { nil: undefined });
const sourceName = fc.oneof(
  fc.constantFrom('env', 'file', 'tool'),
  fc.string({ minLength: 1, maxLength: 12 }),
);

function withStream<T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T & { stream?: string }> {
  return fc
    .tuple(arb, streamName)
    .map(([step, stream]) => (stream === undefined ? step : { ...step, stream }));
}

const bigRange = fc
  .tuple(
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  )
  .map((xs) => xs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));

const largeBytes = fc
  .integer({ min: 65_537, max: 200_000 })
  .map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8)) & 0xff));

/** Any step of any kind, with adversarial values, on the default stream or a named one. */
export const anyStep: fc.Arbitrary<Step> = fc.oneof(
  withStream(fc.record({ t: fc.constant('now' as const), value: fc.maxSafeInteger() })),
  withStream(
    fc.record({
      t: fc.constant('iso' as const),
      value: fc.integer({ min: -8.64e15, max: 8.64e15 }),
    }),
  ),
  withStream(fc.record({ t: fc.constant('monotonic' as const), value: anyDouble })),
  withStream(fc.record({ t: fc.constant('float' as const), value: anyDouble })),
  withStream(fc.record({ t: fc.constant('uuidV4' as const), value: fc.uuid({ version: 4 }) })),
  withStream(fc.record({ t: fc.constant('uuidV7' as const), value: fc.uuid({ version: 7 }) })),
  withStream(
    fc
      .tuple(fc.maxSafeInteger(), fc.maxSafeInteger(), fc.maxSafeInteger())
      .map((xs) => xs.sort((a, b) => a - b))
      .map(([min, value, max]) => ({ t: 'int' as const, min: min!, value: value!, max: max! })),
  ),
  withStream(
    bigRange.map(([min, value, max]) => ({
      t: 'bigint' as const,
      min: min!,
      value: value!,
      max: max!,
    })),
  ),
  withStream(
    fc.record({
      t: fc.constant('bytes' as const),
      value: fc.oneof(
        { weight: 8, arbitrary: fc.uint8Array({ maxLength: 64 }) },
        { weight: 1, arbitrary: largeBytes },
      ),
    }),
  ),
  withStream(
    fc.record({
      t: fc.constant('source' as const),
      name: sourceName,
      value: fc.jsonValue() as fc.Arbitrary<JsonValue>,
    }),
  ),
  withStream(
    fc.record({ t: fc.constant('sourceFloat' as const), name: sourceName, value: anyDouble }),
  ),
  withStream(
    fc.record({ t: fc.constant('sourceFail' as const), name: sourceName, value: fc.string() }),
  ),
);
