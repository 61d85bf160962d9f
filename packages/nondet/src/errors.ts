import { TraceError } from '@trace/errors';

/** The root of every error @trace/nondet throws on purpose. Check with `NondetError.isInstance(e)`. */
export class NondetError extends TraceError {
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

/** Error codes, stable across versions; the README documents each. */
export const NondetErrorCode = {
  diverged: 'NONDET_DIVERGED',
  unconsumed: 'NONDET_UNCONSUMED',
  sourceFailed: 'NONDET_SOURCE_FAILED',
  logInvalid: 'NONDET_LOG_INVALID',
  invalidArgument: 'NONDET_INVALID_ARGUMENT',
  notJson: 'NONDET_NOT_JSON',
  badDraw: 'NONDET_BAD_DRAW',
  drawsPending: 'NONDET_DRAWS_PENDING',
  globalsLocked: 'NONDET_GLOBALS_LOCKED',
} as const;

export function invalidArgument(message: string, details: Record<string, unknown>): NondetError {
  return new NondetError(NondetErrorCode.invalidArgument, message, { details });
}
