/**
 * User path rules: dot-separated paths into a trace whose values are removed whole, e.g.
 * `arguments.customer.ssn`, `arguments.rows.*.email`, `**.dateOfBirth`, `metadata.tenant`.
 * `*` matches one segment (a key or an array index), `**` any number of segments (none included).
 */

export interface PathRule {
  readonly segments: readonly string[];
  readonly kind: string;
}

export function parsePathRule(path: string, kind: string): PathRule {
  return { segments: path.split('.'), kind };
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
