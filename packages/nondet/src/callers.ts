/**
 * Telling a library's own reads of the globals from the code that called it.
 *
 * An SDK reads the clock and randomness for itself on every request: a log id, a start time, retry
 * jitter, an idempotency key. Inside a scope those reads would be drawn like the agent's own, so a
 * tape would hold dozens of draws per call that the agent never made, and an SDK upgrade that reads
 * one more would break every tape. A read is the library's when the function that made it sits in
 * one of the listed packages, or in Node's own internals (its fetch reads the clock on a reused
 * connection); the platform serves those, and only the agent's reads are drawn.
 *
 * The caller is found on the stack, which costs a few microseconds a read: it is done only for
 * scopes that ask for it.
 */

/** Decides, for a read of a global, whether its caller is library code the platform serves. */
export type CallerFilter = (patched: (...args: never[]) => unknown) => boolean;

type CallSite = { getFileName(): string | null | undefined };

/**
 * Compiles the filter for `packages` (npm package names, scoped ones included). The frame that
 * decides is the first one below the patched function with a file: builtins such as
 * `Array.prototype.map` have none and are looked through.
 */
export function libraryCallers(packages: readonly string[]): CallerFilter {
  const markers = packages.map((name) => `/node_modules/${name}/`);
  return (patched) => {
    const file = callerFile(patched);
    if (file === undefined) return false;
    if (file.startsWith('node:')) return true;
    // Windows paths use backslashes; package markers are written with slashes.
    const path = file.includes('\\') ? file.replaceAll('\\', '/') : file;
    return markers.some((marker) => path.includes(marker));
  };
}

function callerFile(patched: (...args: never[]) => unknown): string | undefined {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  try {
    Error.stackTraceLimit = 6;
    Error.prepareStackTrace = (_error, frames) => frames;
    const holder: { stack?: readonly CallSite[] } = {};
    // Frames above and including the patched function are left out: the first is its caller.
    Error.captureStackTrace(holder, patched);
    for (const frame of holder.stack ?? []) {
      const file = frame.getFileName();
      if (file) return file;
    }
    return undefined;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}
