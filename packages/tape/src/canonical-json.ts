import { TapeError } from './errors.js';
import type { JsonValue } from './model.js';

/**
 * The canonical JSON text of a value, as RFC 8785 (JCS) defines it: object keys sorted by UTF-16
 * code units, no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does.
 * Draw values and annotations enter the fingerprint through this text, so two equal values always
 * hash alike whatever their key order.
 *
 * Throws TAPE_INVALID_EVENT for what has no JSON form: non-finite numbers, `undefined`, functions,
 * symbols, bigints, cycles, class instances other than plain objects and arrays, and strings with
 * lone surrogates (which UTF-8 cannot carry). `path` names the offending field in the message.
 */
export function canonicalJson(value: unknown, path: string): string {
  const parts: string[] = [];
  write(value, path, parts, new Set());
  return parts.join('');
}

function write(value: unknown, path: string, out: string[], ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed())
        invalid(path, 'is a string with a lone surrogate; encode binary data as base64');
      out.push(JSON.stringify(value));
      return;
    case 'number':
      if (!Number.isFinite(value))
        invalid(path, `is ${value}, which JSON cannot hold; encode it as a string`);
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      break;
    default:
      invalid(
        path,
        `is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`,
      );
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (ancestors.has(value)) invalid(path, 'refers back to itself (a cycle)');
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i], `${path}[${i}]`, out, ancestors);
    }
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      invalid(
        path,
        `is a ${proto?.constructor?.name ?? 'non-plain'} object; only plain objects and arrays are JSON`,
      );
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is what RFC 8785 asks for.
    const keys = Object.keys(record).sort();
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      if (!key.isWellFormed()) invalid(`${path}.${key}`, 'is a key with a lone surrogate');
      out.push(JSON.stringify(key), ':');
      write(record[key], `${path}.${key}`, out, ancestors);
    });
    out.push('}');
  }
  ancestors.delete(value);
}

function invalid(path: string, problem: string): never {
  throw new TapeError('TAPE_INVALID_EVENT', `${path} ${problem}.`, { details: { path } });
}

/** Parses canonical JSON back into a value; what `canonicalJson` wrote always parses. */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}
