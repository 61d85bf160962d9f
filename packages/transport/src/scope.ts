/**
 * Serving `globalThis.fetch` from a transport, for clients that take no `fetch` option — only for
 * code running inside the scope (AsyncLocalStorage follows it across awaits), so concurrent code
 * outside keeps the real fetch. The global is patched while at least one scope is open and put
 * back exactly when the last one ends. A client that captured `globalThis.fetch` before the scope
 * began keeps what it captured: pass `fetch` explicitly wherever a client accepts it.
 */
import { globalScope } from '@trace/spec';

/**
 * Shared with every other loaded copy of this package, so a scope opened by one copy routes the
 * global for all of them.
 */
const scope = globalScope<typeof fetch>('@trace/transport.fetch.v1', () => {
  const original = globalThis.fetch;
  function dispatch(this: unknown, ...args: Parameters<typeof fetch>): Promise<Response> {
    const scoped = scope.current();
    if (scoped === undefined) return original.apply(this, args);
    // The transport runs outside the scope, so that its own inner fetch (a recording transport
    // forwards to `globalThis.fetch`) reaches the network instead of coming back here.
    return scope.outside(() => scoped.apply(this, args));
  }
  globalThis.fetch = dispatch as typeof fetch;
  return () => {
    globalThis.fetch = original;
  };
});

/**
 * Runs `fn` with `globalThis.fetch` served by `fetchImpl` for the code inside it. When `fn`
 * returns a promise, the scope lasts until it settles; a callback still pending after that reads
 * the fetch of the scope around it, or the real one.
 */
export function withFetch<T>(fetchImpl: typeof fetch, fn: () => T): T {
  return scope.run(fetchImpl, fn);
}
