import { TraceError } from '@trace/spec';

/** Every stable error code @trace/transport throws. Documented in the README; never reworded. */
export const TransportErrorCode = {
  /** A replayed request matches no recorded exchange left to serve. */
  DIVERGED: 'TRANSPORT_DIVERGED',
  /** Recorded exchanges were never requested during the replay. */
  UNCONSUMED: 'TRANSPORT_UNCONSUMED',
  /** Replay was asked for, but there is no tape to replay. */
  NO_TAPE: 'TRANSPORT_NO_TAPE',
  /** An option, or the TRACE_MODE environment variable, has a value that is not allowed. */
  INVALID_OPTION: 'TRANSPORT_INVALID_OPTION',
  /** The replayed caller read past the point where the recorded caller stopped reading. */
  PAST_RECORDING: 'TRANSPORT_PAST_RECORDING',
  /** An exchange could not be written to the tape; the recording is incomplete. */
  RECORD_FAILED: 'TRANSPORT_RECORD_FAILED',
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

export class TransportError extends TraceError<TransportErrorCode> {
  static override readonly brand = Symbol.for('@trace/transport.TransportError');
}
