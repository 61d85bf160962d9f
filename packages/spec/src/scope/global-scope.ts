/**
 * Serving a platform global (`fetch`, `Date.now`, `Math.random`, …) from a value chosen per async
 * context: code inside a scope sees the scope's value, concurrent code outside sees the platform.
 *
 * Two loaded copies of a package (a dependency pinned to another version, a bundle beside
 * node_modules) must share one patch and one async context, or the second copy would take the
 * first copy's patch for the platform and scopes opened by one copy would be invisible to the
 * other. So the state lives on `globalThis` under a `Symbol.for` key.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One open scope as the async context holds it. A callback can outlive the scope it started in (a
 * timer, a pooled socket's handler); `open` turns false when the scope ends, so such a callback is
 * then served by the nearest enclosing scope still open, or by the platform.
 */
interface Frame<T> {
  readonly value: T;
  readonly parent: Frame<T> | undefined;
  open: boolean;
}

interface SharedState<T> {
  readonly context: AsyncLocalStorage<Frame<T> | undefined>;
  /** How many scopes are open; the patch is installed while this is above zero. */
  open: number;
  /** Puts back exactly what the patch replaced; set while it is installed. */
  restore: (() => void) | undefined;
}

export interface GlobalScope<T> {
  /**
   * Runs `fn` with `value` as the innermost scope, across its awaits, timers and callbacks. The
   * patch is installed when the first scope opens and removed when the last one ends: when `fn`
   * returns, throws, or the promise (or thenable) it returned settles.
   */
  run<R>(value: T, fn: () => R): R;
  /** The value of the innermost scope still open around the caller, or undefined outside all. */
  current(): T | undefined;
  /** Runs `fn` outside every scope, so that it sees the platform. */
  outside<R>(fn: () => R): R;
}

/**
 * The value stored on `globalThis` under `Symbol.for(key)`, made by `create` the first time any
 * loaded copy asks for it.
 */
export function sharedGlobal<T>(key: string, create: () => T): T {
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(key);
  let found = holder[symbol];
  if (found === undefined) {
    found = create();
    Object.defineProperty(globalThis, symbol, {
      value: found,
      enumerable: false,
      configurable: true,
    });
  }
  return found;
}

/**
 * A scope shared by every loaded copy that names the same `key`. `install` patches the globals and
 * returns how to put back exactly what it replaced; it may throw (a frozen global), and then the
 * scope does not open.
 */
export function globalScope<T>(key: string, install: () => () => void): GlobalScope<T> {
  const state = sharedGlobal<SharedState<T>>(key, () => {
    const created: SharedState<T> = {
      context: new AsyncLocalStorage<Frame<T> | undefined>(),
      open: 0,
      restore: undefined,
    };
    everyScope().add(created as SharedState<unknown>);
    return created;
  });

  const enter = (): void => {
    if (state.open === 0 && state.restore === undefined) state.restore = install();
    state.open++;
  };
  const leave = (): void => {
    state.open--;
    if (state.open === 0 && state.restore !== undefined) {
      const restore = state.restore;
      state.restore = undefined;
      restore();
    }
  };

  return {
    run<R>(value: T, fn: () => R): R {
      const frame: Frame<T> = { value, parent: state.context.getStore(), open: true };
      const end = (): void => {
        frame.open = false;
        leave();
      };
      enter();
      let result: R;
      let thenable: boolean;
      try {
        result = state.context.run(frame, fn);
        // Inside the try: reading `then` runs user code (a getter) that may throw too.
        thenable = isThenable(result);
      } catch (error) {
        end();
        throw error;
      }
      if (!thenable) {
        end();
        return result;
      }
      return Promise.resolve(result).finally(end) as R;
    },
    current(): T | undefined {
      let frame = state.context.getStore();
      // A callback that outlived its scope must not be served by that finished scope.
      while (frame !== undefined && !frame.open) frame = frame.parent;
      return frame?.value;
    },
    outside<R>(fn: () => R): R {
      // With no scope open anywhere there is nothing to leave, and exiting has a cost.
      return state.open === 0 ? fn() : state.context.exit(fn);
    },
  };
}

/** Every scope opened through `globalScope`, by any loaded copy, for `outsideScopes`. */
function everyScope(): Set<SharedState<unknown>> {
  return sharedGlobal('@trace/spec.scopes.v1', () => new Set<SharedState<unknown>>());
}

/**
 * Runs `fn` outside every scope that is open, whichever package opened it: what `fn` reads from
 * the patched globals then comes from the platform. Libraries use it for their own work done on a
 * caller's behalf (a transport timing the chunks of a body the caller reads, the fetch beneath
 * it), so that only the caller's own reads are served by the caller's scope.
 */
export function outsideScopes<R>(fn: () => R): R {
  let run = fn;
  for (const state of everyScope()) {
    if (state.open === 0) continue;
    const inner = run;
    run = () => state.context.exit(inner);
  }
  return run();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
