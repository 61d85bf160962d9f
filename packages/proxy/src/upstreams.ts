/**
 * Where a request goes: the upstream whose path prefix is the longest that the request's path
 * starts with, the prefix taken off. `https://api.anthropic.com` alone serves every path;
 * `/openai=https://api.openai.com/v1` and `/anthropic=https://api.anthropic.com` let one proxy serve
 * an agent that uses both (its base URLs `http://127.0.0.1:8899/openai` and `…/anthropic`).
 */
import { ProxyError } from './errors.js';

export interface Upstream {
  /** The path prefix that selects it: `/` for every path. */
  readonly prefix: string;
  /** Where requests under the prefix go: scheme, host, port, and a base path. */
  readonly url: string;
}

/** Reads `https://host` or `/prefix=https://host/base` (the command line's `--upstream`). */
export function parseUpstream(text: string): Upstream {
  const at = text.indexOf('=');
  const prefix = at < 0 ? '/' : text.slice(0, at);
  const url = at < 0 ? text : text.slice(at + 1);
  return checkUpstream({ prefix, url });
}

/** The upstreams checked and ordered, longest prefix first. */
export function checkUpstreams(upstreams: readonly (Upstream | string)[]): Upstream[] {
  if (!Array.isArray(upstreams) || upstreams.length === 0) {
    throw invalid(
      'give at least one upstream: `upstreams: ["https://api.anthropic.com"]`, or `/openai=https://api.openai.com/v1` for a path prefix.',
    );
  }
  const checked = upstreams.map((u) =>
    typeof u === 'string' ? parseUpstream(u) : checkUpstream(u),
  );
  const prefixes = new Set<string>();
  for (const { prefix } of checked) {
    if (prefixes.has(prefix))
      throw invalid(`two upstreams share the prefix ${prefix}; give each its own.`);
    prefixes.add(prefix);
  }
  return checked.sort((a, b) => b.prefix.length - a.prefix.length);
}

function checkUpstream(upstream: Upstream): Upstream {
  const { prefix, url } = upstream ?? {};
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    throw invalid(
      `an upstream's prefix must be a path starting with "/", not ${JSON.stringify(prefix)}.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(
      `the upstream for ${prefix} is not a URL: give one like https://api.anthropic.com.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`the upstream for ${prefix} must be http or https, not ${parsed.protocol}.`);
  }
  if (
    parsed.username !== '' ||
    parsed.password !== '' ||
    parsed.search !== '' ||
    parsed.hash !== ''
  ) {
    // Credentials travel with the agent's own requests; a URL holding them would be logged.
    throw invalid(
      `the upstream for ${prefix} must hold no credentials, query or fragment: the agent's own requests carry its key.`,
    );
  }
  const trimmedPrefix = prefix.length > 1 ? prefix.replace(/\/+$/, '') : prefix;
  return { prefix: trimmedPrefix, url: parsed.href.replace(/\/+$/, '') };
}

/** The upstream URL a request for `path` (with its query) goes to, or undefined when none serves it. */
export function route(upstreams: readonly Upstream[], path: string): string | undefined {
  for (const { prefix, url } of upstreams) {
    if (prefix === '/') return `${url}${path}`;
    if (path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`)) {
      return `${url}${path.slice(prefix.length)}`;
    }
  }
  return undefined;
}

function invalid(message: string): ProxyError {
  return new ProxyError('PROXY_INVALID_OPTION', `The proxy's upstreams are invalid: ${message}`);
}
