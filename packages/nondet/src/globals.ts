import { type GlobalScope, globalScope } from '@trace/spec';
import { type CallerFilter, libraryCallers } from './callers.js';
import { invalidArgument, NondetError, NondetErrorCode } from './errors.js';
import { PLATFORM } from './platform.js';
import type { NondetSource } from './source.js';

/**
 * Scoped virtualization of the platform globals.
 *
 * The globals are patched once, when the first scope opens, and put back exactly (the same
 * property descriptors, so `Date.now === theOriginal` again) when the last one closes. While they
 * are patched, each patched function asks the async context which source serves it: inside a scope
 * the scope's source, outside any scope the original function. So concurrent code outside a scope
 * never sees a scope's values, and scopes nest (AsyncLocalStorage keeps the innermost).
 */

const MAX_RANDOM_VALUES = 65536;

/** True while a patched global is calling into a source: a source that itself reads the globals
 * (a user source built on `Date.now()`) then gets the platform instead of recursing forever. */
let serving = false;

/** What a scope serves, and which callers it leaves to the platform. */
interface Scoped {
  readonly source: NondetSource;
  readonly libraries: CallerFilter | undefined;
}

/** The source serving a read of `patched` here, or undefined when the platform serves it. */
function current(patched: (...args: never[]) => unknown): NondetSource | undefined {
  if (serving) return undefined;
  const scoped = GLOBALS.current();
  if (scoped === undefined || scoped.libraries?.(patched)) return undefined;
  return scoped.source;
}

function serve<T>(source: NondetSource, draw: (source: NondetSource) => T): T {
  serving = true;
  try {
    return draw(source);
  } finally {
    serving = false;
  }
}

const now = (s: NondetSource) => s.now();
const random = (s: NondetSource) => s.float();
const uuid = (s: NondetSource) => s.uuidV4();
const monotonic = (s: NondetSource) => s.monotonic();

function patchedDateNow(): number {
  const source = current(patchedDateNow);
  return source === undefined ? PLATFORM.dateNow() : serve(source, now);
}

function patchedMathRandom(): number {
  const source = current(patchedMathRandom);
  return source === undefined ? PLATFORM.mathRandom() : serve(source, random);
}

function patchedRandomUUID(): string {
  const source = current(patchedRandomUUID);
  return source === undefined ? PLATFORM.randomUUID() : serve(source, uuid);
}

function patchedPerformanceNow(): number {
  const source = current(patchedPerformanceNow);
  return source === undefined ? PLATFORM.performanceNow() : serve(source, monotonic);
}

function isIntegerArray(value: unknown): value is ArrayBufferView {
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof Float32Array) &&
    !(value instanceof Float64Array)
  );
}

function patchedGetRandomValues<T extends ArrayBufferView | null>(array: T): T {
  const source = current(patchedGetRandomValues);
  // Anything the platform would refuse goes to the platform, so it refuses it the same way.
  if (source === undefined || !isIntegerArray(array) || array.byteLength > MAX_RANDOM_VALUES) {
    return PLATFORM.getRandomValues(array);
  }
  const bytes = serve(source, (s) => s.bytes(array.byteLength));
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(bytes);
  return array;
}

const OriginalDate = PLATFORM.Date;

/**
 * `Date` as seen inside a scope: `new Date()` and `Date()` read the scope's wall clock; every other
 * form is the original constructor. It shares the original prototype, so `instanceof Date` holds
 * for dates made before, during and after a scope, and every date is a real `Date`.
 */
function VirtualDate(this: unknown, ...args: unknown[]): unknown {
  const source = current(VirtualDate);
  if (new.target === undefined) {
    return source === undefined ? OriginalDate() : new OriginalDate(serve(source, now)).toString();
  }
  if (args.length === 0 && source !== undefined) {
    return Reflect.construct(OriginalDate, [serve(source, now)], new.target);
  }
  return Reflect.construct(OriginalDate, args, new.target);
}

function setName(fn: (...args: never[]) => unknown, name: string, length: number): void {
  Object.defineProperty(fn, 'name', { value: name, configurable: true });
  Object.defineProperty(fn, 'length', { value: length, configurable: true });
}

setName(VirtualDate, 'Date', 7);
setName(patchedDateNow, 'now', 0);
setName(patchedMathRandom, 'random', 0);
setName(patchedRandomUUID, 'randomUUID', 0);
setName(patchedPerformanceNow, 'now', 0);
setName(patchedGetRandomValues, 'getRandomValues', 1);
Object.setPrototypeOf(VirtualDate, Object.getPrototypeOf(OriginalDate));
for (const key of Reflect.ownKeys(OriginalDate)) {
  if (key === 'name' || key === 'length' || key === 'prototype' || key === 'now') continue;
  Object.defineProperty(VirtualDate, key, Object.getOwnPropertyDescriptor(OriginalDate, key)!);
}
Object.defineProperty(VirtualDate, 'prototype', {
  value: OriginalDate.prototype,
  writable: false,
  enumerable: false,
  configurable: false,
});
Object.defineProperty(VirtualDate, 'now', {
  value: patchedDateNow,
  writable: true,
  enumerable: false,
  configurable: true,
});

/** Replaces `target[key]` with `value` and returns how to put back exactly what was there. */
function patch(target: object, key: PropertyKey, value: unknown): () => void {
  const before = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: before?.enumerable ?? false,
    configurable: true,
  });
  return () => {
    if (before === undefined) Reflect.deleteProperty(target, key);
    else Object.defineProperty(target, key, before);
  };
}

/** Patches the globals; returns how to put back exactly what was there. All or nothing. */
function install(): () => void {
  const crypto = globalThis.crypto;
  const performance = globalThis.performance;
  // `Date.now` is patched on the original constructor too, for code that kept a reference to it.
  const patches: [object, string, unknown][] = [
    [OriginalDate, 'now', patchedDateNow],
    [globalThis, 'Date', VirtualDate],
    [Math, 'random', patchedMathRandom],
    [crypto, 'randomUUID', patchedRandomUUID],
    [crypto, 'getRandomValues', patchedGetRandomValues],
    [performance, 'now', patchedPerformanceNow],
  ];
  const undo: (() => void)[] = [];
  const restore = () => {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
  };
  for (const [target, key, value] of patches) {
    try {
      undo.push(patch(target, key, value));
    } catch (cause) {
      // A frozen global (a hardened runtime): put back what was already patched, all or nothing.
      restore();
      throw new NondetError(
        NondetErrorCode.GLOBALS_LOCKED,
        `withGlobals cannot patch ${key} (${String((cause as Error)?.message ?? cause)}): the platform's globals are frozen or locked here. Draw through the source instead (source.now(), source.uuidV4(), …).`,
        { cause, details: { property: key } },
      );
    }
  }
  return restore;
}

/**
 * The scope that routes the patched globals, shared with every other loaded copy of this package:
 * one scope must route the globals whichever copy opened it.
 */
export const GLOBALS: GlobalScope<Scoped> = globalScope('@trace/nondet.globals.v3', install);

const SOURCE_METHODS = ['now', 'float', 'uuidV4', 'bytes', 'monotonic'] as const;

/**
 * Runs `fn` so that `Date.now()`, `new Date()`, `Date()`, `Math.random()`, `crypto.randomUUID()`,
 * `crypto.getRandomValues()` and `performance.now()` are served from `source` — only for code running
 * inside `fn`, across its awaits, timers and promise callbacks (AsyncLocalStorage). Scopes nest; the
 * innermost serves. The globals are restored exactly when the last open scope ends, when `fn`
 * returns, throws, or its promise settles. Timers are not faked.
 *
 * Returns what `fn` returns (a promise if `fn` is async).
 *
 * `options.libraries` names packages whose own reads are not the caller's: a read made by a
 * function in one of them, or in Node's internals, is served by the platform (see callers.ts).
 */
export function withGlobals<T>(
  source: NondetSource,
  fn: () => T,
  options: WithGlobalsOptions = {},
): T {
  if (
    typeof source !== 'object' ||
    source === null ||
    SOURCE_METHODS.some(
      (m) => typeof (source as unknown as Record<string, unknown>)[m] !== 'function',
    )
  ) {
    throw invalidArgument(
      'withGlobals(source, fn) needs a NondetSource (from live(), recording(), replay(), drifting() or seeded()).',
      { argument: 'source' },
    );
  }
  if (typeof fn !== 'function') {
    throw invalidArgument('withGlobals(source, fn) needs a function to run.', { argument: 'fn' });
  }
  return GLOBALS.run({ source, libraries: librariesOf(options) }, fn);
}

export interface WithGlobalsOptions {
  /**
   * npm packages whose own reads of the globals the platform serves, not the source: an SDK's
   * request ids, timings and retry jitter. Reads from Node's internals are then the platform's too.
   * Finding a read's caller costs a few microseconds, so only scopes that list libraries pay it.
   */
  readonly libraries?: readonly string[];
}

function librariesOf(options: WithGlobalsOptions): CallerFilter | undefined {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument('withGlobals(source, fn, options) takes an options object.', {
      argument: 'options',
    });
  }
  const { libraries } = options;
  if (libraries === undefined) return undefined;
  if (!Array.isArray(libraries) || !libraries.every((name) => typeof name === 'string' && name)) {
    throw invalidArgument(
      'withGlobals options.libraries must be an array of npm package names, such as ["@anthropic-ai/sdk", "openai"].',
      { argument: 'libraries' },
    );
  }
  return libraryCallers(libraries);
}

/**
 * The source serving the globals in the current async context: that of the innermost open scope
 * around it, or undefined outside every open scope.
 */
export function currentSource(): NondetSource | undefined {
  return GLOBALS.current()?.source;
}
