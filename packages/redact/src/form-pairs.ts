/**
 * `name=value&name=value` text: URL query strings and form bodies. A value whose name is a
 * credential name (the key rules, plus the names only query strings use: `key`, `sig`,
 * `signature`) is replaced whole; a percent-encoded value is also decoded and scanned, since
 * encoding hides `/`, `+` and `=` from the detectors.
 */
import type { Edit } from './edits.js';
import { type KeyClassifier, normaliseKey } from './keys.js';
import { isPlaceholder, type PlaceholderWriter } from './placeholder.js';
import type { TextRedactor } from './text.js';

export interface PairScan {
  readonly classify: KeyClassifier;
  readonly text: TextRedactor;
  readonly placeholder: PlaceholderWriter;
  /** The text holds UTF-8 bytes one per character (a body), rather than decoded text. */
  readonly latin1: boolean;
  /** Also scan each pair's raw text with the detectors (a form body; a URL is scanned whole). */
  readonly raw: boolean;
}

/** The kind of a credential query or form parameter, or undefined. */
export function parameterKind(name: string, classify: KeyClassifier): string | undefined {
  const kind = classify(name);
  if (kind !== undefined) return kind;
  const normalised = normaliseKey(name);
  if (normalised === 'key') return 'api_key';
  if (normalised === 'sig' || normalised.includes('signature')) return 'signature';
  return undefined;
}

function formDecode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Percent-encodes a redacted value, leaving a placeholder's `[`, `:` and `]` readable. */
function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%3A/g, ':');
}

/** Appends the edits redacting the pairs in `text[from, to)`. */
export function scanPairs(
  text: string,
  from: number,
  to: number,
  scan: PairScan,
  edits: Edit[],
): void {
  // The next `=` is found once and reused until it is passed: looking for it from each pair's
  // start again would rescan a long run of `&`-separated names without one, quadratically.
  let eq = text.indexOf('=', from);
  for (let start = from; start <= to; ) {
    let end = text.indexOf('&', start);
    if (end < 0 || end > to) end = to;
    if (eq >= 0 && eq < start) eq = text.indexOf('=', start);
    if (eq >= 0 && eq < end) {
      const kind = parameterKind(formDecode(text.slice(start, eq)), scan.classify);
      const raw = text.slice(eq + 1, end);
      const value = formDecode(raw);
      if (kind !== undefined) {
        if (value.length > 0 && !isPlaceholder(value)) {
          edits.push({ start: eq + 1, end, text: formEncode(scan.placeholder(kind, value)) });
        }
      } else {
        const before = edits.length;
        if (scan.raw) scan.text.scan(text.slice(start, end), edits, start, scan.latin1);
        if (edits.length === before && value !== raw) {
          const redacted = scan.text.redact(value);
          if (redacted !== value) edits.push({ start: eq + 1, end, text: formEncode(redacted) });
        }
      }
    } else if (scan.raw) {
      scan.text.scan(text.slice(start, end), edits, start, scan.latin1);
    }
    start = end + 1;
  }
}
