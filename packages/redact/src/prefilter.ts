/**
 * Prefilters: one expression that finds any of a set of trigger words, so that text holding none
 * of them skips the full scan. The triggers are grouped by their first character
 * (`s(?:ecret|k-)|[bB](?:…)`), which lets the expression engine test one character per position
 * instead of every trigger: about three times faster than a flat alternation on clean text. Case
 * is exact (a word matched in any case is written `[bB][eE]…`): the `i` flag would widen every
 * literal, `AKIA` to `akia`, and slow the scan of prose.
 */

/** The first token of a source: a character, an escape such as `\d`, or a class `[bB]`. */
function firstToken(source: string): string {
  if (source.startsWith('\\')) return source.slice(0, 2);
  if (source.startsWith('[')) return source.slice(0, source.indexOf(']') + 1);
  return source.slice(0, 1);
}

/** Escapes a first character that has a meaning in expressions. */
function literal(token: string): string {
  return token.length === 1 && /[-\\^$.*+?()[\]{}|/]/.test(token) ? `\\${token}` : token;
}

/** Compiles trigger sources (each starting with a character, an escape or a class). */
export function compilePrefilter(triggers: readonly string[]): RegExp {
  const groups = new Map<string, Set<string>>();
  for (const trigger of triggers) {
    const first = firstToken(trigger);
    const rests = groups.get(first) ?? new Set<string>();
    groups.set(first, rests);
    rests.add(trigger.slice(first.length));
  }
  const alternatives = [...groups].map(([first, rests]) => {
    // A trigger that is only its first character makes the others in its group redundant.
    if (rests.has('')) return literal(first);
    const tails = [...rests];
    return `${literal(first)}${tails.length === 1 ? tails[0] : `(?:${tails.join('|')})`}`;
  });
  // Never matches when there are no triggers.
  return new RegExp(alternatives.length > 0 ? alternatives.join('|') : '(?!)');
}
