/**
 * Serving `globalThis.fetch` from a transport, for clients that take no `fetch` option — only for
 * code running inside the scope (AsyncLocalStorage follows it across awaits), so concurrent code
 * outside keeps the real fetch. A client that captured `globalThis.fetch` before the scope began
 * keeps what it captured: pass `fetch` explicitly wherever a client accepts it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<typeof fetch>();
let original: typeof fetch | undefined;

function dispatch(this: unknown, ...args: Parameters<typeof fetch>): Promise<Response> {
  const scoped = scope.getStore();
  return (scoped ?? (original as typeof fetch)).apply(this, args);
}

/** Runs `fn` with `globalThis.fetch` served by `fetchImpl` for the code inside it. */
export function withFetch<T>(fetchImpl: typeof fetch, fn: () => T): T {
  if (original === undefined) {
    original = globalThis.fetch;
    globalThis.fetch = dispatch as typeof fetch;
  }
  return scope.run(fetchImpl, fn);
}
