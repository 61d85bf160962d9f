/**
 * A test's tape id, from its describe chain and title: readable where the name allows it, stable
 * across runs (never from a position or a counter), and distinct for distinct names.
 *
 * A tape id is 1 to 200 printable ASCII characters without spaces (see @trace/tape). A plain name
 * — printable ASCII, short, without `_ / # ~` — maps one to one: spaces become `_`, the describe
 * chain is joined with `/` (`trip planner/plans_a_day`). Any other name (long, parametrised with
 * unicode or punctuation, `test.each` rows with objects) keeps a readable prefix and ends in `#`
 * and 12 hex digits of the SHA-256 of the exact names, so it stays unique. Plain ids never hold a
 * `#`, so the two forms never meet; `~` is left out because a store names a re-recording in
 * progress `<id>~next-<hex>`.
 */
import { sha256Hex } from '@trace/spec';

/** The longest id kept plain; longer names are hashed. */
const MAX_PLAIN = 120;
/** How much of a hashed name stays readable in front of the hash. */
const MAX_PREFIX = 80;
/** Characters a plain name may hold (spaces become `_`). */
const PLAIN = /^[\x20-\x7e]+$/;
const NOT_PLAIN = /[_/#~]/;
/** What a readable prefix keeps of a name; any run of other characters becomes one `_`. */
const UNREADABLE = /[^A-Za-z0-9.,:;=+()[\]{}@!?-]+/g;

export function tapeIdOf(names: readonly string[]): string {
  if (names.length === 0) throw new TypeError('A tape id needs at least the test title.');
  const plain = names.every((name) => name !== '' && PLAIN.test(name) && !NOT_PLAIN.test(name));
  if (plain) {
    const id = names.map((name) => name.replaceAll(' ', '_')).join('/');
    if (id.length <= MAX_PLAIN) return id;
  }
  const prefix = names
    .map((name) => readable(name))
    .join('/')
    .slice(0, MAX_PREFIX);
  return `${prefix}#${sha256Hex(JSON.stringify(names)).slice(0, 12)}`;
}

function readable(name: string): string {
  // Accents off (é → e), then whatever is left outside the readable set collapsed to one `_`.
  const folded = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const kept = folded.replace(UNREADABLE, '_').replace(/^_+|_+$/g, '');
  return kept === '' ? '_' : kept;
}
