import { TraceError, type TraceErrorOptions } from '@trace/errors';

/** Every stable error code @trace/transport throws. Documented in the README; never reworded. */
export type TransportErrorCode =
  /** A replayed request matches no recorded exchange left to serve. */
  | 'TRANSPORT_DIVERGED'
  /** Recorded exchanges were never requested during the replay. */
  | 'TRANSPORT_UNCONSUMED'
  /** Replay was asked for, but there is no tape to replay. */
  | 'TRANSPORT_NO_TAPE'
  /** An option, or the TRACE_MODE environment variable, has a value that is not allowed. */
  | 'TRANSPORT_INVALID_OPTION'
  /** The replayed caller read past the point where the recorded caller stopped reading. */
  | 'TRANSPORT_PAST_RECORDING'
  /** An exchange could not be written to the tape; the recording is incomplete. */
  | 'TRANSPORT_RECORD_FAILED';

export class TransportError extends TraceError {
  static override readonly brand = Symbol.for('@trace/transport.TransportError');
  declare readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: TraceErrorOptions) {
    super(code, message, options);
  }
}
