import type { FetchInput } from './request.js';

/**
 * `data:` and `blob:` URLs: fetch answers them in-process, without a server, so they are neither
 * recorded nor replayed — the OpenAI SDK probes `fetch('data:,')` to learn what the platform
 * supports, and that probe must not take a place among the run's exchanges.
 */
export function isLocalUrl(input: FetchInput): boolean {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return /^\s*(data|blob):/i.test(url);
}
