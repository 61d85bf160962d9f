/**
 * What never reaches a tape: credentials in headers and query strings, and the SDKs' volatile
 * headers, which differ per machine and per attempt and would make equal runs record unequal tapes.
 */

/** Request and response headers dropped before recording, whatever the options. */
export const CREDENTIAL_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'set-cookie',
  'x-goog-api-key',
];

/**
 * Headers the official Anthropic and OpenAI SDKs send that vary between machines, runtimes and
 * retry attempts (`x-stainless-os`, `-arch`, `-runtime-version`, `-retry-count`, `-timeout`,
 * `user-agent`, idempotency keys). Dropped from recordings by default.
 */
export const SDK_VOLATILE_HEADERS: readonly (string | RegExp)[] = [
  /^x-stainless-/,
  'user-agent',
  'idempotency-key',
  'x-request-id',
];

/** Query parameter names whose values are replaced before recording. */
const SECRET_QUERY_KEY =
  /^(api[-_]?key|key|access[-_]?token|token|auth|secret|client[-_]?secret|password|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)$/i;

export const REDACTED = '[REDACTED]';

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

/** The URL with the values of key-like query parameters replaced. */
export function redactUrl(url: string): string {
  // Without a query or userinfo there is nothing to redact, and parsing costs a microsecond a call.
  if (!url.includes('?') && !url.includes('@')) return url;
  const parsed = new URL(url);
  return redactParsedUrl(parsed) ? parsed.toString() : url;
}

/** Replaces key-like query values and userinfo in `parsed`; true when anything changed. */
export function redactParsedUrl(parsed: URL): boolean {
  let changed = false;
  for (const key of [...new Set(parsed.searchParams.keys())]) {
    if (SECRET_QUERY_KEY.test(key)) {
      const count = parsed.searchParams.getAll(key).length;
      parsed.searchParams.delete(key);
      for (let i = 0; i < count; i++) parsed.searchParams.append(key, REDACTED);
      changed = true;
    }
  }
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = '';
    parsed.password = '';
    changed = true;
  }
  return changed;
}

/** Which headers reach a tape: credentials never, nor those matching `drop`. */
export type HeaderFilter = (lowercaseName: string) => boolean;

/** Compiles the drop list once, so that each request and response only looks names up. */
export function headerFilter(drop: readonly (string | RegExp)[]): HeaderFilter {
  const dropped = nameMatcher([...CREDENTIAL_HEADERS, ...drop]);
  return (name) => !dropped(name);
}

export function keptHeaders(
  headers: Iterable<readonly [string, string]>,
  keep: HeaderFilter,
): [string, string][] {
  const kept: [string, string][] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (keep(lower)) kept.push([lower, value]);
  }
  return kept;
}
