/**
 * Field paths into a JSON body, for matching (`ignoreBodyFields`): `metadata.user_id`,
 * `messages[*].id`, `items.*.secret`, `list[0]` — a `*` stands for any array index or object key.
 * `redactBodyFields` are written the same way and read by @trace/redact (its `bodyFields`).
 */

const ANY = Symbol('any');
export type PathPart = string | typeof ANY;

export function parsePath(path: string): PathPart[] {
  const parts: PathPart[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\*|\d+)\]/g)) {
    const part = match[1] ?? (match[2] as string);
    parts.push(part === '*' ? ANY : part);
  }
  return parts;
}

/** Calls `visit` with the container and key of every field `parts` reaches in `value`. */
export function visitPath(
  value: unknown,
  parts: readonly PathPart[],
  visit: (container: Record<string, unknown>, key: string) => void,
): void {
  if (typeof value !== 'object' || value === null || parts.length === 0) return;
  const [head, ...rest] = parts;
  const container = value as Record<string, unknown>;
  for (const key of head === ANY ? Object.keys(container) : [head as string]) {
    if (!Object.hasOwn(container, key)) continue;
    if (rest.length === 0) visit(container, key);
    else visitPath(container[key], rest, visit);
  }
}
