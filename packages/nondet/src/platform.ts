import { sharedGlobal } from '@trace/spec';

/**
 * The platform functions as they were before any @trace/nondet copy touched them.
 *
 * They live on `globalThis` under a `Symbol.for` key, so two loaded copies of this package share
 * them: the second copy must not mistake the first copy's patches for the platform (a live source
 * would then call back into a scope).
 */
export interface Platform {
  readonly dateNow: () => number;
  readonly Date: DateConstructor;
  readonly performanceNow: () => number;
  readonly mathRandom: () => number;
  readonly randomUUID: () => string;
  readonly getRandomValues: <T extends ArrayBufferView | null>(array: T) => T;
}

function capture(): Platform {
  const crypto = globalThis.crypto;
  const performance = globalThis.performance;
  return {
    dateNow: Date.now,
    Date,
    performanceNow: performance.now.bind(performance),
    mathRandom: Math.random,
    randomUUID: crypto.randomUUID.bind(crypto),
    getRandomValues: crypto.getRandomValues.bind(crypto) as Platform['getRandomValues'],
  };
}

/** The shared platform record, captured on first load. */
export const PLATFORM: Platform = sharedGlobal('@trace/nondet.platform.v2', capture);
