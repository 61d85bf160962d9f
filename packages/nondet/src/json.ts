import { NondetError, NondetErrorCode } from './errors.js';

/** Any JSON value. Numbers are finite: NaN and ±Infinity have no JSON form. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Deeper than this is refused: it is far beyond any sane draw and keeps recursion bounded. */
const MAX_DEPTH = 256;

/** Why a value is not JSON, and where; undefined when it is. */
export interface JsonProblem {
  readonly path: string;
  readonly problem: string;
}

/**
 * Deep-copies `value` as plain JSON, or reports the first part that has no JSON form.
 *
 * The copy is what gets logged and handed back, so a recording and its replay give the caller the
 * same value, and a caller mutating what it got cannot rewrite the log. -0 becomes 0, as it would
 * through any JSON text.
 */
export function copyJson(
  value: unknown,
): { ok: true; value: JsonValue } | ({ ok: false } & JsonProblem) {
  const seen = new Set<object>();
  let problem: JsonProblem | undefined;
  const visit = (v: unknown, path: string, depth: number): JsonValue => {
    if (problem !== undefined) return null;
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return v === 0 ? 0 : v;
      problem = { path, problem: `${v} is not a finite number` };
      return null;
    }
    if (typeof v !== 'object') {
      problem = { path, problem: `a ${typeof v} has no JSON form` };
      return null;
    }
    if (depth >= MAX_DEPTH) {
      problem = { path, problem: `nested deeper than ${MAX_DEPTH} levels` };
      return null;
    }
    if (seen.has(v)) {
      problem = { path, problem: 'a cycle' };
      return null;
    }
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        const out: JsonValue[] = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) {
            problem = { path: `${path}[${i}]`, problem: 'a hole in an array' };
            return null;
          }
          out[i] = visit(v[i], `${path}[${i}]`, depth + 1);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
        problem = {
          path,
          problem: `a ${typeof name === 'string' ? name : 'class instance'} is not a plain object (encode it, or pass a codec)`,
        };
        return null;
      }
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(v)) {
        const item = visit((v as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
        // A "__proto__" key assigned plainly would set the prototype instead of a property.
        if (key === '__proto__') {
          Object.defineProperty(out, key, {
            value: item,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          out[key] = item;
        }
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  const copy = visit(value, '$', 0);
  return problem === undefined ? { ok: true, value: copy } : { ok: false, ...problem };
}

/** Like `copyJson`, but throws `NONDET_NOT_JSON` naming what was being drawn. */
export function copyJsonOrThrow(value: unknown, what: string): JsonValue {
  const result = copyJson(value);
  if (result.ok) return result.value;
  throw new NondetError(
    NondetErrorCode.notJson,
    `${what} produced a value with no JSON form at ${result.path}: ${result.problem}. Return plain JSON (null instead of undefined), or pass a codec that encodes it.`,
    { details: { what, path: result.path, problem: result.problem } },
  );
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  const ao = a as Record<string, JsonValue>;
  const bo = b as Record<string, JsonValue>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(bo, key) || !jsonEqual(ao[key]!, bo[key]!)) return false;
  }
  return true;
}

/** A short, single-line rendering of a value for error messages. */
export function preview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
