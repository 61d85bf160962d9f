/** Differences between two JSON values, down to the path (`messages[3].content[0].text`). */

export interface JsonDifference {
  /** Where: a JSON path from the value's root (`$` for the root itself). */
  readonly path: string;
  /** `changed`, or `added`/`removed` for a member or element only one side has. */
  readonly kind: 'changed' | 'added' | 'removed';
  readonly a: unknown;
  readonly b: unknown;
}

/** Every difference between `a` and `b`, in document order, at most `limit`. */
export function diffJson(a: unknown, b: unknown, limit = 50): JsonDifference[] {
  const out: JsonDifference[] = [];
  walk(a, b, '$', out, limit);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: JsonDifference[], limit: number): void {
  if (out.length >= limit || Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const at = `${path}[${i}]`;
      if (i >= a.length) out.push({ path: at, kind: 'added', a: undefined, b: b[i] });
      else if (i >= b.length) out.push({ path: at, kind: 'removed', a: a[i], b: undefined });
      else walk(a[i], b[i], at, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const at = memberPath(path, key);
      if (!Object.hasOwn(b, key)) out.push({ path: at, kind: 'removed', a: a[key], b: undefined });
      else if (!Object.hasOwn(a, key))
        out.push({ path: at, kind: 'added', a: undefined, b: b[key] });
      else walk(a[key], b[key], at, out, limit);
      if (out.length >= limit) return;
    }
    return;
  }
  out.push({ path, kind: 'changed', a, b });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function memberPath(path: string, key: string): string {
  const member = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return path === '$' ? `$${member}` : `${path}${member}`;
}

/**
 * Two strings shown around where they first differ: at most `width` characters of each, with
 * `…` where text is cut, so a difference deep in a long prompt is seen at once.
 */
export function aroundDifference(a: string, b: string, width = 80): [string, string] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  const from = Math.max(0, start - Math.floor(width / 3));
  const cut = (text: string) =>
    `${from > 0 ? '…' : ''}${text.slice(from, from + width)}${from + width < text.length ? '…' : ''}`;
  return [cut(a), cut(b)];
}
