import { TraceError } from '@trace/spec';

/** Every stable error code @trace/fork throws. Documented in the README; never reworded. */
export const ForkErrorCode = {
  /** An option has a value that is not allowed (the message names it). */
  INVALID_OPTION: 'FORK_INVALID_OPTION',
  /** The store holds no tape under the parent id. */
  NO_PARENT: 'FORK_NO_PARENT',
  /** The parent tape was never finished: a recording of it crashed or is still running. */
  PARENT_INCOMPLETE: 'FORK_PARENT_INCOMPLETE',
  /** The parent's stored bytes do not prove its fingerprint, or it is not the one expected. */
  PARENT_DAMAGED: 'FORK_PARENT_DAMAGED',
  /** The fork point is not a step of the parent (out of range, or not a step of that kind). */
  INVALID_POINT: 'FORK_INVALID_POINT',
  /** The intervention cannot be applied at the fork point (a value of the wrong kind, an unknown response shape). */
  INVALID_INTERVENTION: 'FORK_INVALID_INTERVENTION',
  /** Before the fork point the agent no longer made the calls and draws the parent recorded. */
  DRIFT: 'FORK_DRIFT',
  /** The branch could not be written to the store. */
  BRANCH_FAILED: 'FORK_BRANCH_FAILED',
  /** The tape is not a branch: its metadata names no parent. */
  NOT_A_BRANCH: 'FORK_NOT_A_BRANCH',
} as const;
export type ForkErrorCode = (typeof ForkErrorCode)[keyof typeof ForkErrorCode];

/** Every error @trace/fork throws on purpose. */
export class ForkError extends TraceError<ForkErrorCode> {
  static override readonly brand = Symbol.for('@trace/fork.ForkError');
}
