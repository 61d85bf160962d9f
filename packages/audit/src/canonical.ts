import { auditError } from './errors.js';

/** A value that can be stored in the log: JSON without `undefined` inside arrays, NaN or Infinity. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Nesting deeper than this is refused: it is a bug or an attack, never a real payload. */
const MAX_DEPTH = 64;

/**
 * The canonical JSON encoding that entries are hashed and stored in.
 *
 * Object keys sorted by UTF-16 code units, no whitespace, strings and numbers exactly as
 * `JSON.stringify` writes them, object members whose value is `undefined` left out. For the
 * values allowed here this is the JSON Canonicalization Scheme (RFC 8785), so a verifier in any
 * language can rebuild the bytes. Anything JSON cannot carry faithfully (NaN, Infinity, bigint,
 * functions, symbols, `undefined` in an array, class instances such as Date, cycles) is refused
 * with AUDIT_INVALID_EVENT rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  // Most payloads are already in canonical shape (the vocabulary builds its payloads with sorted
  // keys): then the native JSON.stringify writes exactly the canonical bytes, much faster.
  return alreadyCanonical(value, 0) ? JSON.stringify(value) : encode(value, 0, []);
}

/**
 * True when `JSON.stringify(value)` is its canonical encoding: plain objects whose members, in
 * their own order, are sorted by code unit; finite numbers; no undefined in arrays; nothing JSON
 * would convert. Anything else (including a cycle, cut off by depth) takes the careful path.
 */
function alreadyCanonical(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (item === undefined || !alreadyCanonical(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      let previous: string | undefined;
      for (const key in value) {
        if (previous !== undefined && !(previous < key)) return false;
        previous = key;
        const member = (value as Record<string, unknown>)[key];
        if (member !== undefined && !alreadyCanonical(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function encode(value: unknown, depth: number, path: unknown[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw refuse(`the number ${String(value)}`, path);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) throw refuse(`nesting deeper than ${MAX_DEPTH}`, path);
      if (path.includes(value)) throw refuse('a cycle', path);
      return Array.isArray(value)
        ? encodeArray(value, depth, path)
        : encodeObject(value, depth, path);
    default:
      throw refuse(`a value of type ${typeof value}`, path);
  }
}

function encodeArray(items: unknown[], depth: number, path: unknown[]): string {
  path.push(items);
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) throw refuse('undefined inside an array', path);
    out += (i === 0 ? '' : ',') + encode(item, depth + 1, path);
  }
  path.pop();
  return `${out}]`;
}

function encodeObject(object: object, depth: number, path: unknown[]): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    throw refuse(
      `an instance of ${object.constructor?.name ?? 'a class'} (convert it to plain JSON first)`,
      path,
    );
  }
  path.push(object);
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${encode(member, depth + 1, path)}`;
    first = false;
  }
  path.pop();
  return `${out}}`;
}

function refuse(what: string, path: unknown[]) {
  return auditError(
    'AUDIT_INVALID_EVENT',
    `An audit payload cannot hold ${what}: pass plain JSON (objects, arrays, strings, finite numbers, booleans, null).`,
    { details: { depth: path.length } },
  );
}

/**
 * Fast test that `text` is already the canonical encoding of `value` (its own `JSON.parse`).
 * `JSON.stringify` writes members in the order the text had them, with the same escapes and
 * number forms as the canonical encoding, and a duplicate key would have collapsed; so equal
 * text plus sorted keys at every level means canonical. A false answer is not a verdict: the
 * caller falls back to {@link canonicalJson} (integer-like keys, which JavaScript reorders, land
 * there).
 */
export function isCanonicalText(value: unknown, text: string): boolean {
  return JSON.stringify(value) === text && keysSorted(value, 0);
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
