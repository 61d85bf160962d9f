/**
 * How a request is recognised: put in its recorded form (redacted, see recorded-form.ts), then
 * canonicalised (query sorted, ignored query keys and body fields removed, JSON re-serialised
 * canonically) and hashed. A replayed request is served the recorded response whose request has
 * the same hash — proof, by SHA-256, that the request is the same.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, SpecError, sha256Hex } from '@trace/spec';
import { parsePath, visitPath } from './json-path.js';

export interface MatchOptions {
  /** Query parameter names left out of matching (their values may differ between runs). */
  readonly ignoreQuery?: readonly string[];
  /**
   * JSON body fields left out of matching, as paths: `metadata.user_id`, `messages[*].id`
   * (`*` stands for any array index or object key).
   */
  readonly ignoreBodyFields?: readonly string[];
  /** Request headers that take part in matching (by default none do). */
  readonly headers?: readonly (string | RegExp)[];
  /**
   * `'fingerprint'` (default): a request is served the next unconsumed exchange with its hash,
   * so concurrent requests replay correctly whatever order they complete in.
   * `'positional'`: the n-th request must match the n-th recorded exchange.
   */
  readonly order?: 'fingerprint' | 'positional';
}

/** The parts of a request that matching looks at, after normalising. */
export interface CanonicalRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The body as JSON when it parses as JSON, else as bytes. */
  readonly body: { readonly json: unknown } | { readonly bytes: Uint8Array } | null;
}

export interface RequestLike {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array | null;
}

/**
 * Compiles header names and patterns once into a test of a lowercase name: names are compared
 * case-insensitively, patterns are tested against the lowercase name.
 */
export function nameMatcher(
  patterns: readonly (string | RegExp)[],
): (lowercaseName: string) => boolean {
  const names = new Set<string>();
  const regexps: RegExp[] = [];
  for (const pattern of patterns) {
    if (typeof pattern === 'string') names.add(pattern.toLowerCase());
    else regexps.push(pattern);
  }
  return (name) => names.has(name) || regexps.some((regexp) => regexp.test(name));
}

/** The canonical form of a request in its recorded form (see recorded-form.ts). */
export function canonicalise(request: RequestLike, options: MatchOptions): CanonicalRequest {
  const url = canonicalUrl(request.url, options);
  const headerNames = options.headers ?? [];
  const matched = nameMatcher(headerNames);
  const headers = (headerNames.length === 0 ? [] : request.headers)
    .filter(([name]) => matched(name.toLowerCase()))
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    method: request.method.toUpperCase(),
    url,
    headers,
    body: canonicalBody(request.body, options),
  };
}

/** The URL with its query sorted and the ignored keys removed. */
function canonicalUrl(text: string, options: MatchOptions): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // A placeholder where a URL cannot hold one (a secret in its host) leaves text that no
    // longer parses: compared as it is, which still matches the same text.
    return text;
  }
  // Without a `?` there is no query (not even an empty one, which sorting would drop); asking
  // for `searchParams` would build it for nothing.
  if (url.href.includes('?')) {
    for (const key of options.ignoreQuery ?? []) url.searchParams.delete(key);
    url.searchParams.sort();
  }
  return url.toString();
}

function canonicalBody(body: Uint8Array | null, options: MatchOptions): CanonicalRequest['body'] {
  if (body === null) return null;
  const json = parseJson(body);
  if (json === undefined) return { bytes: body };
  for (const path of options.ignoreBodyFields ?? []) {
    visitPath(json.value, parsePath(path), (container, key) => {
      // An array keeps its length, so the positions of the elements after it still line up.
      if (Array.isArray(container)) container[Number(key)] = null;
      else delete container[key];
    });
  }
  return { json: json.value };
}

function parseJson(body: Uint8Array): { value: unknown } | undefined {
  const first = body.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first !== 0x7b && first !== 0x5b) return undefined; // only objects and arrays are treated as JSON
  try {
    return { value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)) };
  } catch {
    return undefined;
  }
}

/**
 * A request exactly as it is (method, URL, the headers matching looks at, and the SHA-256 of its
 * body bytes), as a key. Canonicalising is a pure function of these, so two requests with the
 * same raw key have the same canonical hash; replay uses this to skip canonicalising a request
 * identical to a recorded one. `bodyDigest` is the body's SHA-256 when it is already known (a
 * tape read from a store knows each of its bodies'); the body is hashed otherwise.
 */
export function rawKey(request: RequestLike, withHeaders: boolean, bodyDigest?: string): string {
  const headers = withHeaders ? JSON.stringify(request.headers) : '';
  const body = request.body === null ? 'none' : `sha256:${bodyDigest ?? sha256Hex(request.body)}`;
  // None of the parts can hold a line break (a URL is serialised, headers are JSON): unambiguous.
  return `${request.method}\n${request.url}\n${headers}\n${body}`;
}

/** The SHA-256 hex hash of a canonical request: what "the same request" means in replay. */
export function hashCanonical(canonical: CanonicalRequest): string {
  const head = `${canonical.method}\n${canonical.url}\n${JSON.stringify(canonical.headers)}\n`;
  const body = canonical.body;
  if (body === null) return sha256Hex(`${head}none`);
  if ('json' in body) return sha256Hex(`${head}json:${jsonForMatching(body.json)}`);
  return createHash('sha256').update(head).update('bytes:').update(body.bytes).digest('hex');
}

/**
 * A parsed body holds nothing but JSON (it came from `JSON.parse`), but its strings may hold lone
 * surrogates written as `\ud800` escapes: canonical text keeps them escaped.
 */
const PARSED = { loneSurrogates: 'allow' } as const;

/**
 * The text a parsed body is matched by: its canonical JSON, or — for a body nested deeper than the
 * canonical form allows — the text it was sent as, which still matches an identical request.
 */
function jsonForMatching(value: unknown): string {
  try {
    return canonicalJson(value, PARSED);
  } catch (error) {
    if (!SpecError.isInstance(error)) throw error;
    return `raw:${JSON.stringify(value)}`;
  }
}
