/**
 * Name/value pairs inside values: `['Authorization', '…']` (a header list entry) and
 * `{ key|name: 'authorization', value: … }` (an OTLP attribute, a HAR header). The value is named by
 * the pair's name, so the key-name rules apply to it.
 */
import type { KeyClassifier } from './keys.js';

/** The kind of the second item of a two-item array whose first item names a credential. */
export function arrayPairKind(
  items: readonly unknown[],
  classify: KeyClassifier,
): string | undefined {
  return items.length === 2 && typeof items[0] === 'string' ? classify(items[0]) : undefined;
}

/** The kind of the `value` member of an object whose `key` or `name` names a credential. */
export function objectPairKind(
  record: Readonly<Record<string, unknown>>,
  classify: KeyClassifier,
): string | undefined {
  const name =
    typeof record.key === 'string'
      ? record.key
      : typeof record.name === 'string'
        ? record.name
        : undefined;
  return name !== undefined && 'value' in record ? classify(name) : undefined;
}
