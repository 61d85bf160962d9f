/**
 * Where two JSON values differ, as paths (`messages[1].content[0].text`, `usage.output_tokens`).
 * @trace/transport diffs requests for its own divergence messages but does not export it; a
 * branch's diff also needs responses and draws, so this walks plain JSON of any kind.
 */
import type { JsonValue } from '@trace/spec';

/** One place two values differ; a side without the value there reads `(absent)`. */
export interface JsonDifference {
  readonly path: string;
  readonly parent: JsonValue;
  readonly branch: JsonValue;
}

export const ABSENT = '(absent)';

/** At most this many differences are listed for one part of one step. */
export const MAX_DIFFERENCES = 20;

/**
 * The differences between `parent` and `branch`, by path from the top (`messages[1].content`);
 * `root` names a difference of the whole value (a body that is text on one side, say).
 */
export function jsonDifferences(
  parent: JsonValue,
  branch: JsonValue,
  root: string,
): JsonDifference[] {
  const out: JsonDifference[] = [];
  for (const difference of walk(parent, branch, '')) {
    out.push(difference.path === '' ? { ...difference, path: root } : difference);
    if (out.length === MAX_DIFFERENCES) break;
  }
  return out;
}

function* walk(a: JsonValue, b: JsonValue, path: string): Generator<JsonDifference> {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      yield* walk(at(a, i), at(b, i), `${path}[${i}]`);
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys)
      yield* walk(field(a, key), field(b, key), path === '' ? key : `${path}.${key}`);
    return;
  }
  // Scalars, or a container against something else: equal when their JSON is.
  if (JSON.stringify(a) !== JSON.stringify(b)) yield { path, parent: a, branch: b };
}

function isObject(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(array: readonly JsonValue[], index: number): JsonValue {
  return index < array.length ? (array[index] as JsonValue) : ABSENT;
}

function field(object: { readonly [key: string]: JsonValue }, key: string): JsonValue {
  return Object.hasOwn(object, key) ? (object[key] as JsonValue) : ABSENT;
}
