/**
 * Path rules: positions whose values are removed whole.
 *
 * - Value paths (`paths`) are dot-separated positions in a value, e.g. `arguments.customer.ssn`,
 *   `arguments.rows.*.email`, `**.dateOfBirth`: `*` matches one segment (a key or an array index),
 *   `**` any number of segments (none included).
 * - Body fields (`bodyFields`) are positions in a JSON body, written as `@trace/transport`'s
 *   `redactBodyFields` always were: `auth.token`, `items[*].secret`, `list[0]` are anchored at the
 *   body's root, and a bare name (`api_key`) matches that key at any depth. Both compile to the
 *   same rules.
 */

export interface PathRule {
  readonly segments: readonly string[];
  readonly kind: string;
}

export function parsePathRule(path: string, kind: string): PathRule {
  return { segments: path.split('.'), kind };
}

/** The segments of a body field, or undefined when it has none. */
export function parseBodyField(field: string, kind: string): PathRule | undefined {
  const segments: string[] = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\*|\d+)\]/g)) {
    segments.push(match[1] ?? (match[2] as string));
  }
  if (segments.length === 0) return undefined;
  const bare = segments.length === 1 && segments[0] !== '*' && !field.startsWith('[');
  return { segments: bare ? ['**', segments[0]!] : segments, kind };
}

function matchFrom(
  rule: readonly string[],
  ri: number,
  path: readonly string[],
  pi: number,
): boolean {
  if (ri === rule.length) return pi === path.length;
  const segment = rule[ri]!;
  if (segment === '**') {
    for (let skip = pi; skip <= path.length; skip++) {
      if (matchFrom(rule, ri + 1, path, skip)) return true;
    }
    return false;
  }
  if (pi === path.length) return false;
  if (segment !== '*' && segment !== path[pi]) return false;
  return matchFrom(rule, ri + 1, path, pi + 1);
}

/** The kind of the first rule matching `path`, or undefined. */
export function matchPathRules(
  rules: readonly PathRule[],
  path: readonly string[],
): string | undefined {
  for (const rule of rules) {
    if (matchFrom(rule.segments, 0, path, 0)) return rule.kind;
  }
  return undefined;
}

/**
 * Matching along a path one segment at a time, for scans that walk arbitrarily deep text: the
 * positions each rule has reached are kept per level, so a step costs the same at any depth
 * (`matchPathRules` on the whole path would cost the path's length at every value).
 */
export type PathStates = readonly (readonly number[])[];

/** Adds the positions a `**` may skip to (it matches no segment as well). */
function closure(segments: readonly string[], reached: number[]): number[] {
  for (let k = 0; k < reached.length; k++) {
    const at = reached[k]!;
    if (segments[at] === '**' && !reached.includes(at + 1)) reached.push(at + 1);
  }
  return reached;
}

/** The states at a value's root. */
export function rootStates(rules: readonly PathRule[]): PathStates {
  return rules.map((rule) => closure(rule.segments, [0]));
}

/** The states one segment further down. */
export function stepStates(
  rules: readonly PathRule[],
  states: PathStates,
  segment: string,
): PathStates {
  return rules.map((rule, r) => {
    const next: number[] = [];
    for (const at of states[r]!) {
      const expected = rule.segments[at];
      if (expected === '**') {
        if (!next.includes(at)) next.push(at);
      } else if (expected !== undefined && (expected === '*' || expected === segment)) {
        if (!next.includes(at + 1)) next.push(at + 1);
      }
    }
    return closure(rule.segments, next);
  });
}

/** The kind of the first rule that has matched the whole path, or undefined. */
export function statesKind(rules: readonly PathRule[], states: PathStates): string | undefined {
  for (let r = 0; r < rules.length; r++) {
    if (states[r]!.includes(rules[r]!.segments.length)) return rules[r]!.kind;
  }
  return undefined;
}
