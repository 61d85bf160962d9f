import {
  type JsonOptions,
  type JsonProblem,
  type JsonValue,
  SpecError,
  copyJson as specCopyJson,
} from '@trace/spec';
import { NondetError, NondetErrorCode } from './errors.js';

export type { JsonValue };

/**
 * How draws are checked: a value that reached a source may hold lone surrogates (JSON text escapes
 * them), so they are allowed here; a tape refuses them when the draw is stored.
 */
const DRAW_JSON: JsonOptions = { loneSurrogates: 'allow' };

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
  try {
    return { ok: true, value: specCopyJson(value, DRAW_JSON) };
  } catch (error) {
    if (!SpecError.isInstance(error)) throw error;
    return {
      ok: false,
      path: error.details.path as string,
      problem: error.details.problem as string,
    };
  }
}

/** Like `copyJson`, but throws `NONDET_NOT_JSON` naming what was being drawn. */
export function copyJsonOrThrow(value: unknown, what: string): JsonValue {
  const result = copyJson(value);
  if (result.ok) return result.value;
  throw new NondetError(
    NondetErrorCode.NOT_JSON,
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
