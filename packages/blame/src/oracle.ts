/**
 * The outcome oracle: a predicate on what the agent returned. A trial flips when the oracle's
 * answer on its value differs from its answer on the recorded run's value.
 */
import { canonicalJson, type JsonValue } from '@trace/spec';
import { parseJsonPath, readJsonPath } from './json-path.js';

export type Oracle<T> = ((value: T) => boolean) & { readonly description?: string };

function describe<T>(fn: (value: T) => boolean, description: string): Oracle<T> {
  return Object.assign(fn, { description });
}

/** The text the regular-expression oracles read: a string as it is, anything else as its JSON. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}

/** True when the text of the value (or of the value at `path`) matches `pattern`. */
export function matchesText(pattern: RegExp, path?: string): Oracle<unknown> {
  const segments = path === undefined ? [] : parseJsonPath(path);
  // A global or sticky pattern keeps state between calls: test on a fresh copy each time.
  const flags = pattern.flags.replace(/[gy]/g, '');
  return describe(
    (value) => new RegExp(pattern.source, flags).test(textOf(readJsonPath(value, segments))),
    `text${path === undefined ? '' : ` at ${path}`} matches ${pattern}`,
  );
}

/** True when the value at `path` equals `expected` (as canonical JSON). */
export function jsonPathEquals(path: string, expected: JsonValue): Oracle<unknown> {
  const segments = parseJsonPath(path);
  const want = canonicalJson(expected);
  return describe((value) => {
    const found = readJsonPath(value, segments);
    if (found === undefined) return false;
    try {
      return canonicalJson(found as JsonValue) === want;
    } catch {
      return false;
    }
  }, `${path} equals ${want}`);
}

/** True when the value at `path` is a string (or a number, a boolean) matching `pattern`. */
export function jsonPathMatches(path: string, pattern: RegExp): Oracle<unknown> {
  const segments = parseJsonPath(path);
  const flags = pattern.flags.replace(/[gy]/g, '');
  return describe((value) => {
    const found = readJsonPath(value, segments);
    if (found === undefined || found === null || typeof found === 'object') return false;
    return new RegExp(pattern.source, flags).test(String(found));
  }, `${path} matches ${pattern}`);
}

/** The oracle's description: its own, or its function's name, or `oracle`. */
export function oracleDescription(oracle: Oracle<never>): string {
  if (typeof oracle.description === 'string' && oracle.description !== '')
    return oracle.description;
  return oracle.name === '' ? 'oracle' : oracle.name;
}
