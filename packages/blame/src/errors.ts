import { TraceError } from '@trace/spec';

/** Every stable error code @trace/blame throws. Documented in the README; never reworded. */
export const BlameErrorCode = {
  /** An option or argument has a value that is not allowed (`details.option` names it). */
  INVALID_OPTION: 'BLAME_INVALID_OPTION',
  /** The store holds no tape under the run's id. */
  NO_RUN: 'BLAME_NO_RUN',
  /** The run's tape was never finished, or its stored bytes do not prove its fingerprint. */
  RUN_UNUSABLE: 'BLAME_RUN_UNUSABLE',
  /** Replaying the run offline with the agent failed: the agent is not the one that recorded it. */
  REPLAY_FAILED: 'BLAME_REPLAY_FAILED',
  /** The agent threw on the recorded run, and thrown runs are not judged (`judgeErrors`). */
  PARENT_ERRORED: 'BLAME_PARENT_ERRORED',
  /** The oracle threw on the recorded run's value. */
  ORACLE_FAILED: 'BLAME_ORACLE_FAILED',
  /** The estimated spend of the whole blame exceeds the budget: nothing was spent. */
  OVER_BUDGET: 'BLAME_OVER_BUDGET',
  /** Usage must be priced (`budget.usd`) but the price table has no entry for a model. */
  NO_PRICE: 'BLAME_NO_PRICE',
  /** The result could not be written to the store, or a stored one could not be read. */
  STORAGE_FAILED: 'BLAME_STORAGE_FAILED',
} as const;
export type BlameErrorCode = (typeof BlameErrorCode)[keyof typeof BlameErrorCode];

/** Every error @trace/blame throws on purpose. */
export class BlameError extends TraceError<BlameErrorCode> {
  static override readonly brand = Symbol.for('@trace/blame.BlameError');
}

/** A BLAME_INVALID_OPTION naming the option. */
export function invalidOption(option: string, message: string): BlameError {
  return new BlameError('BLAME_INVALID_OPTION', message, { details: { option } });
}
