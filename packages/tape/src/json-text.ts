import { TapeError } from './errors.js';
import type { JsonValue } from './model.js';

export interface JsonTextOptions {
  /**
   * Sort object keys by UTF-16 code units, as RFC 8785 (JCS) does, so that equal values give equal
   * text whatever their key order. Off by default: a tape keeps keys in the value's own order,
   * because the code that reads a replayed value can observe that order (`JSON.stringify`, `for…in`).
   */
  readonly sortKeys?: boolean;
  /** How the value is named in error messages, e.g. `event.value`. Default `value`. */
  readonly path?: string;
}

/**
 * The JSON text a tape stores for a value: no whitespace, numbers and strings written as
 * ECMAScript's JSON.stringify writes them, keys in the value's own order (or sorted, on request).
 * Draw values and annotations enter the fingerprint through this text.
 *
 * Throws TAPE_INVALID_EVENT for what has no exact JSON form: non-finite numbers, `undefined`,
 * functions, symbols, bigints, cycles, class instances other than plain objects and arrays, and
 * strings with lone surrogates (which UTF-8 cannot carry). The message names the offending field.
 */
export function jsonText(value: unknown, options: JsonTextOptions = {}): string {
  const parts: string[] = [];
  write(value, options.path ?? 'value', parts, new Set(), options.sortKeys ?? false);
  return parts.join('');
}

function write(
  value: unknown,
  path: string,
  out: string[],
  ancestors: Set<object>,
  sortKeys: boolean,
): void {
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
      write(value[i], `${path}[${i}]`, out, ancestors, sortKeys);
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
    // The default sort compares UTF-16 code units, which is what RFC 8785 asks for.
    const keys = sortKeys ? Object.keys(record).sort() : Object.keys(record);
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      if (!key.isWellFormed()) invalid(`${path}.${key}`, 'is a key with a lone surrogate');
      out.push(JSON.stringify(key), ':');
      write(record[key], `${path}.${key}`, out, ancestors, sortKeys);
    });
    out.push('}');
  }
  ancestors.delete(value);
}

function invalid(path: string, problem: string): never {
  throw new TapeError('TAPE_INVALID_EVENT', `${path} ${problem}.`, { details: { path } });
}

/** Parses stored JSON text back into a value; what `jsonText` wrote always parses. */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}
