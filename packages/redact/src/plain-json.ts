/**
 * `redactJson`: copy-on-write redaction of plain JSON data. It copies only the objects and arrays
 * on the way to a change and returns the very same value when nothing changed. What is not plain
 * JSON (a `Date`, a class instance, `NaN`, `undefined`, a bigint) is left exactly as it was, for
 * the caller's own validation to refuse; it is never converted.
 */
import { MAX_JSON_DEPTH } from '@trace/spec';
import { arrayPairKind, objectPairKind } from './named-values.js';
import { matchPathRules } from './paths.js';
import type { RedactionScope } from './text.js';
import { placeholderFor, type WalkRules } from './walk-rules.js';

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True for what JSON can hold as it is: a value under a credential key is then removed. */
function isJsonLike(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      return value === null || Array.isArray(value) || isPlainObject(value);
    default:
      return false;
  }
}

/** Sets an own member, even one named `__proto__` (plain assignment would set the prototype). */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

export function redactJson(
  value: unknown,
  basePath: readonly string[],
  scope: RedactionScope | undefined,
  r: WalkRules,
): unknown {
  const { classify, rules, text } = r;
  const trackPath = rules.length > 0;
  const path: string[] = [...basePath];
  const remove = (kind: string, member: unknown): unknown =>
    isJsonLike(member) ? placeholderFor(r, kind, member) : member;

  const walk = (current: unknown, depth: number): unknown => {
    if (trackPath && path.length > 0) {
      const kind = matchPathRules(rules, path);
      if (kind !== undefined) return remove(kind, current);
    }
    if (typeof current === 'string') return text.redact(current, false, scope);
    // Deeper than JSON allows (or a cycle): left for the caller to refuse.
    if (typeof current !== 'object' || current === null || depth >= MAX_JSON_DEPTH) return current;
    if (Array.isArray(current)) {
      const pairKind = arrayPairKind(current, classify);
      let copy: unknown[] | undefined;
      for (let i = 0; i < current.length; i++) {
        if (trackPath) path.push(String(i));
        const item = current[i];
        const next =
          i === 1 && pairKind !== undefined ? remove(pairKind, item) : walk(item, depth + 1);
        if (trackPath) path.pop();
        if (!Object.is(next, item)) {
          copy ??= current.slice();
          copy[i] = next;
        }
      }
      return copy ?? current;
    }
    if (!isPlainObject(current)) return current;
    const record = current as Record<string, unknown>;
    const pairKind = objectPairKind(record, classify);
    const keys = Object.keys(record);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const member = record[key];
      const safeKey = r.redactKey(key, scope);
      if (trackPath) path.push(key);
      const kind = key === 'value' && pairKind !== undefined ? pairKind : classify(key);
      const next = kind !== undefined ? remove(kind, member) : walk(member, depth + 1);
      if (trackPath) path.pop();
      if (Object.is(next, member) && safeKey === key && copy === undefined) continue;
      if (copy === undefined) {
        // The members before this one are unchanged: copy them in order.
        copy = {};
        for (let j = 0; j < i; j++) setMember(copy, keys[j]!, record[keys[j]!]);
      }
      setMember(copy, safeKey, next);
    }
    return copy ?? current;
  };

  return walk(value, 0);
}
