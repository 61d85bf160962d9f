import { DrawKind } from '@trace/spec';
import {
  decodeBase64,
  decodeDecimal,
  decodeFloat64,
  decodeSafeDecimal,
  encodeBase64,
  encodeFloat64,
} from './encoding.js';
import { NondetError, NondetErrorCode } from './errors.js';
import { type Generator, makeUuidV7, sampleBigInt, sampleInt } from './generator.js';
import type { JsonValue } from './json.js';
import type { NondetSource } from './source.js';
import { isUuid } from './uuid.js';

/** A problem decoding a recorded value against what the run asked; becomes a divergence error. */
export class DecodeProblem {
  constructor(
    readonly reason: 'ask-mismatch' | 'bad-value',
    readonly message: string,
  ) {}
}

/** One built-in kind: how to produce it, ask another source for it, and encode and decode it. */
export interface Kind<T, P> {
  readonly name: string;
  generate(gen: Generator, param: P): T;
  ask(source: NondetSource, param: P): T;
  /** The value as JSON; throws `NONDET_BAD_DRAW` when a source returned a value the kind forbids. */
  encode(value: T, param: P): JsonValue;
  /** The value a recorded JSON value stands for, or why it cannot be served for this ask. */
  decode(json: JsonValue, param: P): T | DecodeProblem;
  /** What was asked, for error details. */
  describe(param: P): Record<string, JsonValue>;
  /** A value other than `value` (used by the drifting source), or `value` when no other exists. */
  nudge(value: T, param: P): T;
}

function badDraw(kind: string, value: unknown, expected: string): NondetError {
  return new NondetError(
    NondetErrorCode.BAD_DRAW,
    `The inner source returned ${typeof value === 'bigint' ? `${value}n` : String(value)} for a ${kind} draw, which must be ${expected}. Fix the source passed to recording().`,
    { details: { kind, expected } },
  );
}

function floatKind(
  name: string,
  gen: (g: Generator) => number,
  ask: (s: NondetSource) => number,
): Kind<number, undefined> {
  return {
    name,
    generate: gen,
    ask,
    encode(value) {
      if (typeof value !== 'number') throw badDraw(name, value, 'a number');
      return encodeFloat64(value);
    },
    decode(json) {
      const value = decodeFloat64(json);
      return value === undefined
        ? new DecodeProblem('bad-value', 'is not a double spelled as 16 lowercase hex digits')
        : value;
    },
    describe: () => ({ kind: name }),
    nudge: (value) => (value < 0.5 ? value + 0.5 : value - 0.5),
  };
}

export const WALL: Kind<number, undefined> = {
  name: DrawKind.wallClock,
  generate: (g) => g.wallMs(),
  ask: (s) => s.now(),
  encode(value) {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) {
      throw badDraw(DrawKind.wallClock, value, 'a safe integer number of milliseconds');
    }
    return value;
  },
  decode(json) {
    return Number.isSafeInteger(json) && !Object.is(json, -0)
      ? (json as number)
      : new DecodeProblem('bad-value', 'is not an integer number of milliseconds');
  },
  describe: () => ({ kind: DrawKind.wallClock }),
  nudge: (value) => value + 1,
};

export const MONOTONIC: Kind<number, undefined> = {
  ...floatKind(
    DrawKind.monotonicClock,
    (g) => g.monotonicMs(),
    (s) => s.monotonic(),
  ),
  nudge: (value) => value + 1,
};

export const FLOAT: Kind<number, undefined> = floatKind(
  DrawKind.float,
  (g) => g.float(),
  (s) => s.float(),
);

function uuidKind(version: 4 | 7): Kind<string, undefined> {
  const name = version === 4 ? DrawKind.uuidV4 : DrawKind.uuidV7;
  return {
    name,
    generate: (g) => (version === 4 ? g.uuidV4() : makeUuidV7(g)),
    ask: (s) => (version === 4 ? s.uuidV4() : s.uuidV7()),
    encode(value) {
      if (!isUuid(value, version))
        throw badDraw(name, value, `a canonical lowercase UUIDv${version}`);
      return value;
    },
    decode(json) {
      return isUuid(json, version)
        ? json
        : new DecodeProblem('bad-value', `is not a canonical lowercase UUIDv${version}`);
    },
    describe: () => ({ kind: name }),
    // Flip the last hex digit: still a valid UUID of the same version, and a different one.
    nudge: (value) => value.slice(0, -1) + (value.endsWith('0') ? '1' : '0'),
  };
}

export const UUID_V4: Kind<string, undefined> = uuidKind(4);
export const UUID_V7: Kind<string, undefined> = uuidKind(7);

/** An integer range as asked: numbers give numbers back, bigints give bigints. */
export type IntRange =
  | { readonly big: false; readonly min: number; readonly max: number }
  | { readonly big: true; readonly min: bigint; readonly max: bigint };

export const INT: Kind<number | bigint, IntRange> = {
  name: DrawKind.int,
  generate: (g, r) => (r.big ? sampleBigInt(g, r.min, r.max) : sampleInt(g, r.min, r.max)),
  ask: (s, r) => (r.big ? s.int(r.min, r.max) : s.int(r.min, r.max)),
  encode(value, r) {
    const ok =
      typeof value === (r.big ? 'bigint' : 'number') &&
      (r.big || Number.isSafeInteger(value)) &&
      value >= r.min &&
      value <= r.max;
    if (!ok) throw badDraw(DrawKind.int, value, `an integer in [${r.min}, ${r.max}]`);
    return { min: String(r.min), max: String(r.max), value: String(value) };
  },
  decode(json, r) {
    // Fast path for the common case: a number range recorded exactly as asked.
    if (!r.big && typeof json === 'object' && json !== null && !Array.isArray(json)) {
      const fields = json as Record<string, JsonValue>;
      if (fields.min === String(r.min) && fields.max === String(r.max)) {
        const value = decodeSafeDecimal(fields.value);
        if (
          value !== undefined &&
          value >= r.min &&
          value <= r.max &&
          Object.keys(fields).length === 3
        ) {
          return value;
        }
      }
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return new DecodeProblem('bad-value', 'is not an object { min, max, value }');
    }
    const record = json as Record<string, JsonValue>;
    const keys = Object.keys(record);
    const min = decodeDecimal(record.min);
    const max = decodeDecimal(record.max);
    const value = decodeDecimal(record.value);
    if (keys.length !== 3 || min === undefined || max === undefined || value === undefined) {
      return new DecodeProblem(
        'bad-value',
        'is not { min, max, value } as canonical decimal strings',
      );
    }
    if (min !== BigInt(r.min) || max !== BigInt(r.max)) {
      return new DecodeProblem(
        'ask-mismatch',
        `was drawn from [${min}, ${max}], but the run asked for [${r.min}, ${r.max}]`,
      );
    }
    if (value < min || value > max) {
      return new DecodeProblem('bad-value', `holds ${value}, outside its range [${min}, ${max}]`);
    }
    return r.big ? value : Number(value);
  },
  describe: (r) => ({ kind: DrawKind.int, min: String(r.min), max: String(r.max) }),
  nudge(value, r) {
    if (r.big) return value === r.max ? r.min : (value as bigint) + 1n;
    return value === r.max ? r.min : (value as number) + 1;
  },
};

export const BYTES: Kind<Uint8Array, number> = {
  name: DrawKind.bytes,
  generate(g, length) {
    const bytes = new Uint8Array(length);
    g.fill(bytes);
    return bytes;
  },
  ask: (s, length) => s.bytes(length),
  encode(value, length) {
    if (!(value instanceof Uint8Array) || value.length !== length) {
      throw badDraw(DrawKind.bytes, value, `a Uint8Array of ${length} bytes`);
    }
    return encodeBase64(value);
  },
  decode(json, length) {
    const bytes = decodeBase64(json);
    if (bytes === undefined)
      return new DecodeProblem('bad-value', 'is not canonical padded base64');
    if (bytes.length !== length) {
      return new DecodeProblem(
        'ask-mismatch',
        `holds ${bytes.length} bytes, but the run asked for ${length}`,
      );
    }
    return bytes;
  },
  describe: (length) => ({ kind: DrawKind.bytes, length }),
  nudge(value) {
    if (value.length === 0) return value;
    const copy = value.slice();
    copy[0] = copy[0]! ^ 0xff;
    return copy;
  },
};
