/**
 * The one walk every JSON function of this package makes: it checks a value against JSON's rules
 * and the options, notes whether its keys are already in canonical order, and copies it when asked.
 */
import {
  type JsonOptions,
  type JsonProblem,
  type JsonValue,
  MAX_JSON_DEPTH,
} from './json-value.js';

export interface WalkResult {
  /** The first part of the value that is not JSON, or undefined. */
  readonly problem: JsonProblem | undefined;
  /** The copy, when one was asked for and the value is JSON. */
  readonly copy: JsonValue | undefined;
  /** Every object's own key order is already sorted by UTF-16 code units. */
  readonly sorted: boolean;
  /**
   * Some object has an array-index key (`"0"`, `"42"`): JavaScript enumerates such keys first,
   * in numeric order, whatever order they were added in.
   */
  readonly indexKeys: boolean;
}

interface Walk {
  readonly omitUndefined: boolean;
  readonly allowLone: boolean;
  readonly copy: boolean;
  readonly freeze: boolean;
  readonly root: string;
  /** The keys and indexes from the root to the value being visited, for naming a problem. */
  readonly trail: (string | number)[];
  readonly ancestors: Set<object>;
  problem: JsonProblem | undefined;
  sorted: boolean;
  indexKeys: boolean;
}

export function walkJson(
  value: unknown,
  options: JsonOptions,
  copy: { readonly copy: boolean; readonly freeze: boolean },
): WalkResult {
  const walk: Walk = {
    omitUndefined: options.undefinedMembers === 'omit',
    allowLone: options.loneSurrogates === 'allow',
    copy: copy.copy,
    freeze: copy.freeze,
    root: options.path ?? '$',
    trail: [],
    ancestors: new Set(),
    problem: undefined,
    sorted: true,
    indexKeys: false,
  };
  const result = visit(walk, value, 0);
  return {
    problem: walk.problem,
    copy: walk.problem === undefined && walk.copy ? result : undefined,
    sorted: walk.sorted,
    indexKeys: walk.indexKeys,
  };
}

function visit(walk: Walk, value: unknown, depth: number): JsonValue {
  switch (typeof value) {
    case 'string':
      if (!walk.allowLone && !value.isWellFormed()) {
        return fail(walk, 'is a string with a lone surrogate; encode binary data as base64');
      }
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        return fail(walk, `is ${value}, which JSON cannot hold; encode it as a string`);
      }
      return value === 0 ? 0 : value; // -0 has no JSON form of its own
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      return visitObject(walk, value, depth);
    default:
      return fail(
        walk,
        `is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`,
      );
  }
}

function visitObject(walk: Walk, value: object, depth: number): JsonValue {
  if (depth >= MAX_JSON_DEPTH) return fail(walk, `is nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (walk.ancestors.has(value)) return fail(walk, 'refers back to itself (a cycle)');
  walk.ancestors.add(value);
  try {
    return Array.isArray(value) ? visitArray(walk, value, depth) : visitRecord(walk, value, depth);
  } finally {
    walk.ancestors.delete(value);
  }
}

function visitArray(walk: Walk, items: readonly unknown[], depth: number): JsonValue {
  const out: JsonValue[] | undefined = walk.copy ? new Array(items.length) : undefined;
  for (let i = 0; i < items.length; i++) {
    walk.trail.push(i);
    if (!(i in items)) return fail(walk, 'is a hole in an array');
    const item = visit(walk, items[i], depth + 1);
    walk.trail.pop();
    if (walk.problem !== undefined) return null;
    if (out !== undefined) out[i] = item;
  }
  if (out === undefined) return null;
  return walk.freeze ? Object.freeze(out) : out;
}

function visitRecord(walk: Walk, value: object, depth: number): JsonValue {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return fail(
      walk,
      `is a ${typeof name === 'string' && name !== '' ? name : 'non-plain'} object; only plain objects and arrays are JSON`,
    );
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, JsonValue> | undefined = walk.copy ? {} : undefined;
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    walk.trail.push(key);
    if (!walk.allowLone && !key.isWellFormed()) return fail(walk, 'is a key with a lone surrogate');
    const member = record[key];
    if (member === undefined && walk.omitUndefined) {
      walk.trail.pop();
      continue;
    }
    if (previous !== undefined && !(previous < key)) walk.sorted = false;
    previous = key;
    if (!walk.indexKeys && isIndexKey(key)) walk.indexKeys = true;
    const item = visit(walk, member, depth + 1);
    walk.trail.pop();
    if (walk.problem !== undefined) return null;
    if (out === undefined) continue;
    // A "__proto__" key assigned plainly would set the prototype instead of a member.
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
  if (out === undefined) return null;
  return walk.freeze ? Object.freeze(out) : out;
}

/** Keys JavaScript enumerates first, in numeric order: canonical integers below 2^32 - 1. */
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57 || key.length > 10) return false;
  if (first === 48) return key.length === 1;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(key) < 4294967295;
}

function fail(walk: Walk, problem: string): null {
  walk.problem ??= { path: pathOf(walk), problem };
  return null;
}

function pathOf(walk: Walk): string {
  let path = walk.root;
  for (const step of walk.trail) path += typeof step === 'number' ? `[${step}]` : `.${step}`;
  return path;
}
