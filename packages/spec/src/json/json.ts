/**
 * Checking, copying and writing JSON values: one set of rules (the options of `JsonOptions`, the
 * depth limit) and one canonical form for every package.
 */
import { SpecError } from '../errors/spec-error.js';
import type { JsonOptions, JsonProblem, JsonValue } from './json-value.js';
import { walkJson } from './walk.js';

const CHECK = { copy: false, freeze: false } as const;

/** The first part of `value` that is not JSON under `options`, or undefined when it all is. */
export function findJsonProblem(
  value: unknown,
  options: JsonOptions = {},
): JsonProblem | undefined {
  return walkJson(value, options, CHECK).problem;
}

export interface CopyJsonOptions extends JsonOptions {
  /** Freeze every object and array of the copy. Default false. */
  readonly freeze?: boolean;
}

/**
 * A deep copy of `value` as plain JSON (-0 becomes 0, `__proto__` stays a member), so that later
 * changes to the original cannot reach the copy. Throws `SPEC_INVALID_JSON` naming the first part
 * that is not JSON.
 */
export function copyJson(value: unknown, options: CopyJsonOptions = {}): JsonValue {
  const result = walkJson(value, options, { copy: true, freeze: options.freeze ?? false });
  if (result.problem !== undefined) throw invalidJson(result.problem);
  return result.copy as JsonValue;
}

export interface JsonTextOptions extends JsonOptions {
  /**
   * Sort object keys by UTF-16 code units, as RFC 8785 (JCS) does, so that equal values give equal
   * text whatever their key order. Off by default: keys stay in the value's own order, which code
   * reading the value back can observe.
   */
  readonly sortKeys?: boolean;
}

/**
 * The JSON text of `value`: no whitespace, strings and numbers exactly as `JSON.stringify` writes
 * them. Throws `SPEC_INVALID_JSON` for what has no exact JSON form: non-finite numbers, `undefined`
 * (unless members may be omitted), functions, symbols, bigints, cycles, class instances, array
 * holes, nesting deeper than `MAX_JSON_DEPTH`, and lone surrogates (unless allowed).
 */
export function jsonText(value: unknown, options: JsonTextOptions = {}): string {
  return writeJson(value, options, options.sortKeys === true);
}

/**
 * Canonical JSON: keys sorted by UTF-16 code units, no whitespace, numbers and strings as
 * `JSON.stringify` writes them — the JSON Canonicalization Scheme (RFC 8785) for every value this
 * function accepts, so equal values give equal bytes, and a verifier in any language can rebuild
 * them.
 */
export function canonicalJson(value: unknown, options: JsonOptions = {}): string {
  // Not `jsonText(value, { ...options, sortKeys: true })`: building that object on every call
  // costs about as much as writing a small payload, and the audit log writes one per entry.
  return writeJson(value, options, true);
}

function writeJson(value: unknown, options: JsonOptions, sortKeys: boolean): string {
  const checked = walkJson(value, options, CHECK);
  if (checked.problem !== undefined) throw invalidJson(checked.problem);
  // The value is plain JSON now, so the platform's serializer writes it exactly, and far faster
  // than JavaScript could. Sorting needs care: an object built with sorted keys still enumerates
  // its array-index keys first, so only a value without them can be sorted by a replacer.
  if (!sortKeys || checked.sorted) return JSON.stringify(value);
  if (!checked.indexKeys) return JSON.stringify(value, withSortedKeys);
  return writeSorted(value);
}

/**
 * True when `text` is exactly the canonical JSON of `value`, its own `JSON.parse`. Cheaper than
 * rebuilding the text: `JSON.stringify` keeps the order the text had, so equal text and sorted keys
 * at every level mean canonical. False is not a verdict on `value`: integer-like keys, which
 * JavaScript reorders, always answer false; compare with `canonicalJson` then.
 */
export function isCanonicalJsonText(value: unknown, text: string): boolean {
  let written: string;
  try {
    written = JSON.stringify(value);
  } catch {
    return false; // nested too deep for the serializer: no canonical text anyway
  }
  return written === text && keysSorted(value, 0);
}

function keysSorted(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!keysSorted(item, depth + 1)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!keysSorted((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

function withSortedKeys(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  // No prototype: a `__proto__` key is copied as a member, not taken for the prototype.
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) {
    sorted[key] = (value as Record<string, unknown>)[key];
  }
  return sorted;
}

/** Sorted-key JSON text written piece by piece; for values whose objects have index keys. */
function writeSorted(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(writeSorted).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  // The default sort compares UTF-16 code units, which is what RFC 8785 asks for.
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${writeSorted(member)}`);
  }
  return `{${members.join(',')}}`;
}

function invalidJson(problem: JsonProblem): SpecError {
  return new SpecError('SPEC_INVALID_JSON', `${problem.path} ${problem.problem}.`, {
    details: { path: problem.path, problem: problem.problem },
  });
}
