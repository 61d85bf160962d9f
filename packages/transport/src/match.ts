/**
 * How a request is recognised: put in its recorded form (redacted, see recorded-form.ts), then
 * canonicalised (the ignored URL parts and query keys removed, the query sorted, the matched
 * headers kept, a multipart boundary replaced by a fixed one, ignored body fields removed, JSON
 * re-serialised canonically, the user's normaliser last) and hashed. A replayed request is served
 * the recorded response whose request has the same hash — proof, by SHA-256, that the request is
 * the same.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, SpecError, sha256Hex } from '@trace/spec';
import { TransportError } from './errors.js';
import { parsePath, visitPath } from './json-path.js';
import { MultipartBoundary } from './multipart.js';

/** A part of a URL that matching can leave out. `origin` is protocol, hostname and port together. */
export type UrlPart = 'origin' | 'protocol' | 'hostname' | 'port' | 'pathname' | 'query' | 'hash';

const URL_PARTS: readonly UrlPart[] = [
  'origin',
  'protocol',
  'hostname',
  'port',
  'pathname',
  'query',
  'hash',
];

/**
 * Request headers that change what an API answers, matched by default: a request sent with
 * another API version or beta flag than the recorded one is a different request.
 */
export const MATCHED_HEADERS: readonly string[] = [
  'anthropic-version',
  'anthropic-beta',
  'openai-beta',
];

export interface MatchOptions {
  /**
   * Parts of the URL left out of matching: `['origin']` replays a suite whose local server gets
   * a new port each run; `'protocol'`, `'hostname'`, `'port'`, `'pathname'`, `'query'`, `'hash'`
   * one by one.
   */
  readonly ignoreUrl?: readonly UrlPart[];
  /** Query parameter names left out of matching (their values may differ between runs). */
  readonly ignoreQuery?: readonly string[];
  /**
   * JSON body fields left out of matching, as paths: `metadata.user_id`, `messages[*].id`
   * (`*` stands for any array index or object key).
   */
  readonly ignoreBodyFields?: readonly string[];
  /**
   * Request headers that take part in matching, by name or pattern, besides `MATCHED_HEADERS`
   * (`anthropic-version`, `anthropic-beta`, `openai-beta`), which always do unless ignored.
   */
  readonly headers?: readonly (string | RegExp)[];
  /** Headers of `MATCHED_HEADERS` (or of `headers`) left out of matching after all. */
  readonly ignoreHeaders?: readonly (string | RegExp)[];
  /**
   * Multipart bodies (file uploads, audio) carry a random boundary: by default it is replaced by a
   * fixed one for matching, in the body and in a matched `content-type`. `false` compares it as sent.
   */
  readonly normalizeMultipartBoundary?: boolean;
  /**
   * A last step over both sides — the live request and the recorded one — after the options
   * above: return the request as it should be compared. It must be a pure function of its
   * argument (it is called again for the same request, and its result is hashed).
   */
  readonly normalize?: (request: CanonicalRequest) => CanonicalRequest;
  /**
   * `'fingerprint'` (default): a request is served the next unconsumed exchange with its hash,
   * in the order requests were issued, so concurrent requests replay correctly whatever order
   * they complete in. `'positional'`: the n-th request issued must match the n-th issued when
   * recording.
   */
  readonly order?: 'fingerprint' | 'positional';
}

/** The parts of a request that matching looks at, after normalising. */
export interface CanonicalRequest {
  readonly method: string;
  readonly url: string;
  /** The matched headers, names lower-cased, sorted by name. */
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
  if (regexps.length === 0) return (name) => names.has(name);
  return (name) => names.has(name) || regexps.some((regexp) => regexp.test(name));
}

/** The match options of one replay, checked and compiled once. */
export class Matcher {
  readonly order: 'fingerprint' | 'positional';
  readonly #options: MatchOptions;
  readonly #matchedHeader: (lowercaseName: string) => boolean;
  readonly #ignoreUrl: ReadonlySet<UrlPart>;
  readonly #multipart: boolean;

  constructor(options: MatchOptions = {}) {
    check(options);
    this.#options = options;
    this.order = options.order ?? 'fingerprint';
    const matched = nameMatcher([...MATCHED_HEADERS, ...(options.headers ?? [])]);
    const ignoring = (options.ignoreHeaders ?? []).length > 0;
    const ignored = nameMatcher(options.ignoreHeaders ?? []);
    this.#matchedHeader = ignoring ? (name) => matched(name) && !ignored(name) : matched;
    const ignoreUrl = new Set(options.ignoreUrl ?? []);
    if (ignoreUrl.has('origin'))
      for (const part of ['protocol', 'hostname', 'port'] as const) ignoreUrl.add(part);
    this.#ignoreUrl = ignoreUrl;
    this.#multipart = options.normalizeMultipartBoundary ?? true;
  }

  /** The headers matching looks at, as given (names lower-cased), in the order given. */
  matchedHeaders(headers: Iterable<readonly [string, string]>): (readonly [string, string])[] {
    const out: (readonly [string, string])[] = [];
    for (const [name, value] of headers) {
      const lower = name.toLowerCase();
      if (this.#matchedHeader(lower)) out.push([lower, value]);
    }
    return out;
  }

  /**
   * A request exactly as it is (method, URL less its ignored parts, its matched headers, and the
   * SHA-256 of its body bytes), as a key. Canonicalising is a pure function of these, so two
   * requests with the same raw key have the same canonical hash; replay uses this to skip
   * canonicalising a request identical to a recorded one. `bodyDigest` is the body's SHA-256 when
   * it is already known (a tape read from a store knows each of its bodies'); the body is hashed
   * otherwise. `headers` are the request's matched headers (see `matchedHeaders`).
   */
  rawKey(request: RequestLike, bodyDigest?: string): string {
    return this.rawKeyOf(request, Matcher.headersText(request.headers), bodyDigest);
  }

  /** `rawKey`, with the request's matched headers already serialised (see `headersText`). */
  rawKeyOf(
    request: Omit<RequestLike, 'headers'>,
    headersText: string,
    bodyDigest?: string,
  ): string {
    const url = this.#ignoreUrl.size === 0 ? request.url : this.#url(request.url);
    const body = request.body === null ? 'none' : `sha256:${bodyDigest ?? sha256Hex(request.body)}`;
    // None of the parts can hold a line break (a URL is serialised, headers are JSON): unambiguous.
    return `${request.method}\n${url}\n${headersText}\n${body}`;
  }

  /** Matched headers as they take part in a raw key. */
  static headersText(headers: readonly (readonly [string, string])[]): string {
    return headers.length === 0 ? '' : JSON.stringify(headers);
  }

  /** The canonical form of a request in its recorded form (see recorded-form.ts). */
  canonicalise(request: RequestLike): CanonicalRequest {
    const boundary = this.#multipart ? MultipartBoundary.of(request.body) : undefined;
    const headers = this.matchedHeaders(request.headers)
      .map(([name, value]) =>
        boundary !== undefined && name === 'content-type'
          ? ([name, boundary.normaliseContentType(value)] as const)
          : ([name, value] as const),
      )
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const canonical: CanonicalRequest = {
      method: request.method.toUpperCase(),
      url: this.#url(request.url),
      headers,
      body:
        boundary !== undefined
          ? { bytes: boundary.normalise(request.body as Uint8Array) }
          : this.#body(request.body),
    };
    const normalize = this.#options.normalize;
    if (normalize === undefined) return canonical;
    const refuse = (problem: string, cause?: unknown): never => {
      throw new TransportError(
        'TRANSPORT_INVALID_OPTION',
        `match.normalize ${problem} for ${canonical.method} ${canonical.url}: make it a function that returns the request as it should be compared ({ method, url, headers, body }).`,
        cause === undefined ? {} : { cause },
      );
    };
    let normalised: CanonicalRequest;
    try {
      normalised = normalize(canonical);
    } catch (cause) {
      return refuse('threw', cause);
    }
    if (!isCanonicalRequest(normalised)) refuse('returned something that is not a request');
    return normalised;
  }

  /** The URL with its ignored parts and query keys removed and its query sorted. */
  #url(text: string): string {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      // A placeholder where a URL cannot hold one (a secret in its host) leaves text that no
      // longer parses: compared as it is, which still matches the same text.
      return text;
    }
    const ignore = this.#ignoreUrl;
    // Without a `?` there is no query (not even an empty one, which sorting would drop); asking
    // for `searchParams` would build it for nothing.
    if (url.href.includes('?') && !ignore.has('query')) {
      for (const key of this.#options.ignoreQuery ?? []) url.searchParams.delete(key);
      url.searchParams.sort();
    }
    if (ignore.size === 0) return url.toString();
    const protocol = ignore.has('protocol') ? '' : url.protocol;
    const user =
      url.username === '' ? '' : `${url.username}${url.password === '' ? '' : `:${url.password}`}@`;
    const host = ignore.has('hostname') ? '' : url.hostname;
    const port = ignore.has('port') || url.port === '' ? '' : `:${url.port}`;
    const path = ignore.has('pathname') ? '' : url.pathname;
    const query = ignore.has('query') ? '' : url.search;
    const hash = ignore.has('hash') ? '' : url.hash;
    return `${protocol}//${user}${host}${port}${path}${query}${hash}`;
  }

  #body(body: Uint8Array | null): CanonicalRequest['body'] {
    if (body === null) return null;
    const json = parseJson(body);
    if (json === undefined) return { bytes: body };
    for (const path of this.#options.ignoreBodyFields ?? []) {
      visitPath(json.value, parsePath(path), (container, key) => {
        // An array keeps its length, so the positions of the elements after it still line up.
        if (Array.isArray(container)) container[Number(key)] = null;
        else delete container[key];
      });
    }
    return { json: json.value };
  }
}

function isCanonicalRequest(value: unknown): value is CanonicalRequest {
  if (typeof value !== 'object' || value === null) return false;
  const { method, url, headers, body } = value as Record<string, unknown>;
  if (typeof method !== 'string' || typeof url !== 'string' || !Array.isArray(headers))
    return false;
  if (
    !headers.every(
      (h) => Array.isArray(h) && h.length === 2 && h.every((p) => typeof p === 'string'),
    )
  )
    return false;
  if (body === null) return true;
  if (typeof body !== 'object' || body === undefined) return false;
  return 'json' in body || ('bytes' in body && body.bytes instanceof Uint8Array);
}

function check(options: MatchOptions): void {
  if (typeof options !== 'object' || options === null) {
    invalid('`match` must be an object, e.g. { ignoreUrl: ["origin"] }.');
  }
  for (const part of options.ignoreUrl ?? []) {
    if (!URL_PARTS.includes(part)) {
      invalid(`match.ignoreUrl holds ${JSON.stringify(part)}; use any of ${URL_PARTS.join(', ')}.`);
    }
  }
  for (const name of [
    'ignoreUrl',
    'ignoreQuery',
    'ignoreBodyFields',
    'headers',
    'ignoreHeaders',
  ] as const) {
    if (options[name] !== undefined && !Array.isArray(options[name])) {
      invalid(`match.${name} must be an array.`);
    }
  }
  if (options.normalize !== undefined && typeof options.normalize !== 'function') {
    invalid('match.normalize must be a function from a CanonicalRequest to a CanonicalRequest.');
  }
  if (
    options.order !== undefined &&
    options.order !== 'fingerprint' &&
    options.order !== 'positional'
  ) {
    invalid(`match.order is ${JSON.stringify(options.order)}; use "fingerprint" or "positional".`);
  }
}

function invalid(message: string): never {
  throw new TransportError('TRANSPORT_INVALID_OPTION', message);
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
