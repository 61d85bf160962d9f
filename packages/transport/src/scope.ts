/**
 * Serving `globalThis.fetch` from a transport, for clients that take no `fetch` option — only for
 * code running inside the scope (AsyncLocalStorage follows it across awaits), so concurrent code
 * outside keeps the real fetch. The global is patched while at least one scope is open and put
 * back exactly when the last one ends. A client that captured `globalThis.fetch` before the scope
 * began keeps what it captured: pass `fetch` explicitly wherever a client accepts it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<typeof fetch>();
let original: typeof fetch | undefined;
let open = 0;

function dispatch(this: unknown, ...args: Parameters<typeof fetch>): Promise<Response> {
  const scoped = scope.getStore();
  if (scoped === undefined) return (original as typeof fetch).apply(this, args);
  // The transport runs outside the scope, so that its own inner fetch (a recording transport
  // forwards to `globalThis.fetch`) reaches the network instead of coming back here.
  return scope.exit(() => scoped.apply(this, args));
}

function enter(): void {
  if (open++ === 0) {
    original = globalThis.fetch;
    globalThis.fetch = dispatch as typeof fetch;
  }
}

function leave(): void {
  if (--open === 0) {
    globalThis.fetch = original as typeof fetch;
    original = undefined;
  }
}

/**
 * Runs `fn` with `globalThis.fetch` served by `fetchImpl` for the code inside it. When `fn`
 * returns a promise, the scope lasts until it settles; a callback still pending after that reads
 * the real fetch.
 */
export function withFetch<T>(fetchImpl: typeof fetch, fn: () => T): T {
  enter();
  let result: T;
  try {
    result = scope.run(fetchImpl, fn);
  } catch (error) {
    leave();
    throw error;
  }
  if (result instanceof Promise) return result.finally(leave) as T;
  leave();
  return result;
}
