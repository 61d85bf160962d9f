import { TraceError } from './trace-error.js';

/** Causes are followed at most this deep, so a cyclic or absurd chain cannot hang the search. */
const MAX_CAUSE_DEPTH = 32;

/**
 * Finds the first @trace error in `error`'s cause chain (the error itself included).
 *
 * SDKs and frameworks wrap the errors thrown beneath them — the official LLM clients turn a
 * failed `fetch` into their own connection error — so a caller that wants the @trace error has
 * to look through `cause`. Pass `code` to find a specific one.
 */
export function findTraceError(error: unknown, code?: string): TraceError | undefined {
  let current: unknown = error;
  const seen = new Set<unknown>();
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current != null && !seen.has(current); depth++) {
    seen.add(current);
    if (TraceError.isInstance(current) && (code === undefined || current.code === code)) {
      return current;
    }
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
  return undefined;
}

/** True when `error` is a @trace error, or has one in its cause chain, with the given code. */
export function hasTraceErrorCode(error: unknown, code: string): boolean {
  return findTraceError(error, code) !== undefined;
}
