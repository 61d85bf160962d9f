/**
 * A readable account of how a live request differs from a recorded one, down to the JSON path
 * (`messages[3].content[0].text`), so a divergence says where, not just that.
 */
import type { CanonicalRequest } from './match.js';

export interface Difference {
  /** Where: `method`, `url`, `header x-foo`, `body`, or a JSON path inside the body. */
  readonly path: string;
  readonly recorded: unknown;
  readonly live: unknown;
}

const MAX_DIFFERENCES = 20;

export function diffRequests(recorded: CanonicalRequest, live: CanonicalRequest): Difference[] {
  const out: Difference[] = [];
  if (recorded.method !== live.method)
    out.push({ path: 'method', recorded: recorded.method, live: live.method });
  if (recorded.url !== live.url) out.push({ path: 'url', recorded: recorded.url, live: live.url });
  const recordedHeaders = new Map(recorded.headers);
  const liveHeaders = new Map(live.headers);
  for (const name of new Set([...recordedHeaders.keys(), ...liveHeaders.keys()])) {
    if (recordedHeaders.get(name) !== liveHeaders.get(name)) {
      out.push({
        path: `header ${name}`,
        recorded: recordedHeaders.get(name) ?? '(absent)',
        live: liveHeaders.get(name) ?? '(absent)',
      });
    }
  }
  diffBodies(recorded.body, live.body, out);
  return out.slice(0, MAX_DIFFERENCES);
}

function diffBodies(
  recorded: CanonicalRequest['body'],
  live: CanonicalRequest['body'],
  out: Difference[],
): void {
  if (recorded !== null && live !== null && 'json' in recorded && 'json' in live) {
    diffJson(recorded.json, live.json, '', out);
    return;
  }
  const a = recorded === null ? null : 'bytes' in recorded ? recorded.bytes : null;
  const b = live === null ? null : 'bytes' in live ? live.bytes : null;
  if (recorded === null && live === null) return;
  if (a === null || b === null) {
    out.push({ path: 'body', recorded: describeBody(recorded), live: describeBody(live) });
    return;
  }
  const at = firstDifferentByte(a, b);
  if (at >= 0)
    out.push({ path: `body byte ${at}`, recorded: aroundByte(a, at), live: aroundByte(b, at) });
}

/** How many bytes before the first difference, and from it, a byte difference shows. */
const BYTES_BEFORE = 24;
const BYTES_FROM = 40;

/**
 * The bytes around `at`: as text when they read as text (a multipart part, a form, a CSV), as hex
 * otherwise; with `…` where the body goes on, and the body's size.
 */
function aroundByte(bytes: Uint8Array, at: number): string {
  const from = Math.max(0, at - BYTES_BEFORE);
  const to = Math.min(bytes.length, at + BYTES_FROM);
  const slice = bytes.subarray(from, to);
  const size = `(${bytes.length} bytes)`;
  if (slice.length === 0) return `${size} ends here`;
  const text = new TextDecoder('utf-8').decode(slice);
  const printable = [...text].every(
    (c) => c === '\r' || c === '\n' || c === '\t' || (c >= ' ' && c !== '\ufffd'),
  );
  const head = from > 0 ? '…' : '';
  const tail = to < bytes.length ? '…' : '';
  if (printable) return `${size} ${JSON.stringify(`${head}${text}${tail}`)}`;
  const hex = [...slice].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return `${size} hex ${head}${hex}${tail}`;
}

function diffJson(a: unknown, b: unknown, path: string, out: Difference[]): void {
  if (out.length >= MAX_DIFFERENCES) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) {
        out.push({
          path: `${path}[${i}]`,
          recorded: i < a.length ? a[i] : '(absent)',
          live: i < b.length ? b[i] : '(absent)',
        });
      } else {
        diffJson(a[i], b[i], `${path}[${i}]`, out);
      }
    }
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const child = path === '' ? key : `${path}.${key}`;
      if (!Object.hasOwn(a, key)) out.push({ path: child, recorded: '(absent)', live: b[key] });
      else if (!Object.hasOwn(b, key))
        out.push({ path: child, recorded: a[key], live: '(absent)' });
      else diffJson(a[key], b[key], child, out);
    }
    return;
  }
  if (!Object.is(a, b)) out.push({ path: path === '' ? 'body' : path, recorded: a, live: b });
}

/** The differences as lines: `messages[3].content[0].text: recorded "a", live "b"`. */
export function formatDifferences(differences: readonly Difference[]): string {
  return differences
    .map((d) => {
      const [recorded, live] = previews(textOf(d.recorded), textOf(d.live));
      return `  ${d.path}: recorded ${recorded}, live ${live}`;
    })
    .join('\n');
}

/** How many characters of a value a difference line shows. */
const PREVIEW = 120;
/** How much of the text before the first difference stays in view. */
const CONTEXT = 40;

function textOf(value: unknown): string {
  // Descriptions (`(absent)`, `(JSON body)`, `(296 bytes) "…"`) are shown as they are.
  return typeof value === 'string' && value.startsWith('(')
    ? value
    : (JSON.stringify(value) ?? String(value));
}

/**
 * Two values cut to `PREVIEW` characters each around where they first differ, so that two long
 * strings that differ at the end (a system prompt with one word changed) show that word, not two
 * identical beginnings.
 */
export function previews(a: string, b: string): [string, string] {
  if (a.length <= PREVIEW && b.length <= PREVIEW) return [a, b];
  let at = 0;
  const shorter = Math.min(a.length, b.length);
  while (at < shorter && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  const from = Math.max(0, at - CONTEXT);
  return [window(a, from), window(b, from)];
}

function window(text: string, from: number): string {
  const end = from + PREVIEW;
  if (from === 0 && text.length <= PREVIEW) return text;
  const head = from > 0 ? '...' : '';
  const tail = end < text.length ? '...' : '';
  return `${head}${text.slice(from, end)}${tail}`;
}

function describeBody(body: CanonicalRequest['body']): string {
  if (body === null) return '(no body)';
  return 'json' in body ? '(JSON body)' : `(${body.bytes.length} bytes)`;
}

function firstDifferentByte(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How many differences separate two requests: used to find the nearest recorded one. */
export function distance(recorded: CanonicalRequest, live: CanonicalRequest): number {
  const differences = diffRequests(recorded, live);
  let score = differences.length;
  if (recorded.method !== live.method) score += 1000;
  if (pathnameOf(recorded.url) !== pathnameOf(live.url)) score += 100;
  return score;
}

/** A canonical URL's path; the whole text when it does not parse (see `canonicalise`). */
function pathnameOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
