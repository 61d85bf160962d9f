/**
 * URLs, redacted as text: key-like query values and the user info are replaced, and the detectors
 * run over the whole URL; every other character stays as it was (no parsing and re-serialising, which
 * would re-encode the path or add a trailing slash). A URL without `?` or `@` is only scanned.
 */
import { applyEdits, type Edit } from './edits.js';
import { type PairScan, scanPairs } from './form-pairs.js';
import { isPlaceholder, type PlaceholderWriter } from './placeholder.js';
import type { TextRedactor } from './text.js';

const SCHEME_AND_SLASHES = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function redactUrlText(
  url: string,
  text: TextRedactor,
  pairs: PairScan,
  placeholder: PlaceholderWriter,
): string {
  const query = url.indexOf('?');
  if (query < 0 && !url.includes('@')) return text.redact(url);
  const edits: Edit[] = [];
  const scheme = SCHEME_AND_SLASHES.exec(url);
  if (scheme !== null) {
    const start = scheme[0].length;
    const authorityEnd = url.slice(start).search(/[/?#]/);
    const end = authorityEnd < 0 ? url.length : start + authorityEnd;
    const at = url.lastIndexOf('@', end - 1);
    if (at >= start) {
      const colon = url.indexOf(':', start);
      if (colon >= 0 && colon < at) {
        const password = percentDecode(url.slice(colon + 1, at));
        if (password.length > 0 && !isPlaceholder(password)) {
          edits.push({ start: colon + 1, end: at, text: placeholder('url_password', password) });
        }
      } else {
        // A user name alone is how tokens ride in URLs (`https://TOKEN@host`).
        const user = percentDecode(url.slice(start, at));
        if (user.length > 0 && !isPlaceholder(user)) {
          edits.push({ start, end: at, text: placeholder('url_userinfo', user) });
        }
      }
    }
  }
  if (query >= 0) {
    const hash = url.indexOf('#', query);
    scanPairs(url, query + 1, hash < 0 ? url.length : hash, pairs, edits);
  }
  return text.redact(applyEdits(url, edits));
}
