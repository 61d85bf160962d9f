/**
 * `redactValue`: any value to a redacted, JSON-safe copy — key-name rules, path rules and value
 * detectors through nested objects and arrays, with what JSON cannot hold converted (a `Date` to its
 * ISO text, a `Map` to an object, bytes to their size, `NaN` to `null`).
 */
import { type JsonValue, MAX_JSON_DEPTH } from '@trace/spec';
import { RedactError, RedactErrorCode } from './errors.js';
import { arrayPairKind, objectPairKind } from './named-values.js';
import { matchPathRules } from './paths.js';
import type { RedactionScope } from './text.js';
import { placeholderFor, type WalkRules } from './walk-rules.js';

/** A Map key as an object key; a key with no string form (a null-prototype object) gets its tag. */
function keyText(key: unknown): string {
  try {
    return String(key);
  } catch {
    return Object.prototype.toString.call(key);
  }
}

export function redactValue(
  value: unknown,
  basePath: readonly string[],
  scope: RedactionScope | undefined,
  r: WalkRules,
): JsonValue {
  const { classify, rules, text } = r;
  const trackPath = rules.length > 0;
  const path: string[] = [...basePath];
  // The objects being walked, outermost first: a value found among them is a cycle.
  const ancestors: object[] = [];

  const walk = (current: unknown, depth: number): JsonValue | undefined => {
    if (trackPath && path.length > 0) {
      const kind = matchPathRules(rules, path);
      if (kind !== undefined) return placeholderFor(r, kind, current);
    }
    switch (typeof current) {
      case 'string':
        return text.redact(current, false, scope);
      case 'number':
        // JSON has no -0, NaN or Infinity: write what JSON.parse would read back.
        return Number.isFinite(current) ? (current === 0 ? 0 : current) : null;
      case 'boolean':
        return current;
      case 'bigint':
        return current.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (current === null) return null;
    const object = current as object;
    if (depth >= MAX_JSON_DEPTH) return '[TRUNCATED:depth]';
    if (ancestors.includes(object)) {
      // Positions are tracked only for path rules; the key names in one are redacted.
      const where = text.redact(path.join('.'), false, scope);
      throw new RedactError(
        RedactErrorCode.INVALID_INPUT,
        `${where === '' ? 'A value' : `The value at "${where}"`} refers to itself: pass plain, acyclic data.`,
        { details: { path: where } },
      );
    }
    if (object instanceof Date) {
      return Number.isNaN(object.getTime()) ? null : object.toISOString();
    }
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      // Raw bytes may hold anything; only their size leaves.
      return `[BYTES:${object.byteLength}]`;
    }
    ancestors.push(object);
    try {
      if (Array.isArray(object) || object instanceof Set) {
        const items = Array.isArray(object) ? object : [...object];
        const pairKind = arrayPairKind(items, classify);
        const out: JsonValue[] = [];
        for (let i = 0; i < items.length; i++) {
          if (trackPath) path.push(String(i));
          const item =
            i === 1 && pairKind !== undefined
              ? placeholderFor(r, pairKind, items[1])
              : walk(items[i], depth + 1);
          if (trackPath) path.pop();
          out.push(item === undefined ? null : item);
        }
        return out;
      }
      if (object instanceof Error) {
        return walk({ name: object.name, message: object.message }, depth);
      }
      if (object instanceof Map) {
        return walk(Object.fromEntries([...object].map(([k, v]) => [keyText(k), v])), depth);
      }
      const toJSON = (object as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        // The converted value is new; only the object itself is an ancestor of it.
        return walk(toJSON.call(object), depth + 1);
      }
      const record = object as Record<string, unknown>;
      const pairKind = objectPairKind(record, classify);
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(record)) {
        const safeKey = r.redactKey(key, scope);
        if (trackPath) path.push(key);
        const kind = key === 'value' && pairKind !== undefined ? pairKind : classify(key);
        const item =
          kind !== undefined ? placeholderFor(r, kind, record[key]) : walk(record[key], depth + 1);
        if (trackPath) path.pop();
        if (item !== undefined) out[safeKey] = item;
      }
      return out;
    } finally {
      ancestors.pop();
    }
  };

  const result = walk(value, 0);
  return result === undefined ? null : result;
}
