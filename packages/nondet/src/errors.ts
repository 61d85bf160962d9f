import { TraceError } from '@trace/spec';

/** Error codes, stable across versions; the README documents each. */
export const NondetErrorCode = {
  /** A replay (or drifting run) no longer matches its log at this draw. */
  DIVERGED: 'NONDET_DIVERGED',
  /** The run ended with recorded draws never asked for. */
  UNCONSUMED: 'NONDET_UNCONSUMED',
  /** A named source threw; the failure is logged and replayed as a failure. */
  SOURCE_FAILED: 'NONDET_SOURCE_FAILED',
  /** A draw log is not a JSON array of `{ kind, value, stream? }`. */
  LOG_INVALID: 'NONDET_LOG_INVALID',
  /** An argument is not what the function takes. */
  INVALID_ARGUMENT: 'NONDET_INVALID_ARGUMENT',
  /** A named source produced a value with no JSON form, and no codec encodes it. */
  NOT_JSON: 'NONDET_NOT_JSON',
  /** An inner source returned a value its kind forbids. */
  BAD_DRAW: 'NONDET_BAD_DRAW',
  /** The log was read while an asynchronous draw was still in flight. */
  DRAWS_PENDING: 'NONDET_DRAWS_PENDING',
  /** The platform's globals are frozen, so `withGlobals` cannot patch them. */
  GLOBALS_LOCKED: 'NONDET_GLOBALS_LOCKED',
} as const;
export type NondetErrorCode = (typeof NondetErrorCode)[keyof typeof NondetErrorCode];

/** The root of every error @trace/nondet throws on purpose. Check with `NondetError.isInstance(e)`. */
export class NondetError extends TraceError<NondetErrorCode> {
  static override readonly brand: symbol = Symbol.for('@trace/nondet.NondetError');
}

/**
 * A replay (or drifting run) no longer matches its log: the run asked for a draw the log does not
 * hold at that point, ran past the end of the log, or ended with draws left over.
 *
 * `code` is `NONDET_DIVERGED` (while drawing) or `NONDET_UNCONSUMED` (from `assertConsumed()`).
 * `details` carry `index` (the draw's position in the whole log), `stream` (null for the default
 * stream), `streamIndex` (its position within its stream), `expected` (`{ kind, value }` recorded
 * there, or null past the end), `asked` (what the run asked for, or null when it asked nothing) and
 * `reason` (`kind-mismatch`, `ask-mismatch`, `bad-value`, `past-end`, `unconsumed`).
 */
export class NondetDivergenceError extends NondetError {
  static override readonly brand: symbol = Symbol.for('@trace/nondet.NondetDivergenceError');
}

export function invalidArgument(message: string, details: Record<string, unknown>): NondetError {
  return new NondetError(NondetErrorCode.INVALID_ARGUMENT, message, { details });
}
