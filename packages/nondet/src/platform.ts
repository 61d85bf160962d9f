import { AsyncLocalStorage } from 'node:async_hooks';
import type { NondetSource } from './source.js';

/**
 * One `withGlobals` scope, as the async context holds it. A callback can outlive the scope it was
 * started in (a timer, a pooled socket's handler); `open` turns false when the scope ends, so such a
 * callback is then served by the nearest enclosing scope still open, or by the platform, whatever
 * other scopes happen to be open at the time.
 */
export interface ScopeFrame {
  readonly source: NondetSource;
  readonly parent: ScopeFrame | undefined;
  open: boolean;
}

/**
 * The platform functions as they were before any @trace/nondet copy touched them, and the one
 * async context that routes the patched globals.
 *
 * Both live on `globalThis` under a `Symbol.for` key, so two loaded copies of this package share
 * them: the second copy must not mistake the first copy's patches for the platform (a live source
 * would then call back into a scope), and one scope must route the globals whichever copy opened it.
 */
export interface Platform {
  readonly version: 1;
  readonly dateNow: () => number;
  readonly Date: DateConstructor;
  readonly performanceNow: () => number;
  readonly mathRandom: () => number;
  readonly randomUUID: () => string;
  readonly getRandomValues: <T extends ArrayBufferView | null>(array: T) => T;
  /** The scope the current async context was started in, if any. */
  readonly scope: AsyncLocalStorage<ScopeFrame | undefined>;
  /** How many scopes are open; the patches are installed while this is above zero. */
  openScopes: number;
  /** Puts back exactly what the patches replaced; set while they are installed. */
  restore: (() => void) | undefined;
}

const KEY = Symbol.for('@trace/nondet.platform.v1');

function capture(): Platform {
  const crypto = globalThis.crypto;
  const performance = globalThis.performance;
  return {
    version: 1,
    dateNow: Date.now,
    Date,
    performanceNow: performance.now.bind(performance),
    mathRandom: Math.random,
    randomUUID: crypto.randomUUID.bind(crypto),
    getRandomValues: crypto.getRandomValues.bind(crypto) as Platform['getRandomValues'],
    scope: new AsyncLocalStorage<ScopeFrame | undefined>(),
    openScopes: 0,
    restore: undefined,
  };
}

function platform(): Platform {
  const holder = globalThis as unknown as Record<symbol, Platform | undefined>;
  let found = holder[KEY];
  if (found === undefined) {
    found = capture();
    Object.defineProperty(globalThis, KEY, { value: found, enumerable: false, configurable: true });
  }
  return found;
}

/** The shared platform record, captured on first load. */
export const PLATFORM: Platform = platform();
