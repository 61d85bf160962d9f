import { TraceError } from '@trace/spec';

/** Every stable error code @trace/run throws. Documented in the README; never reworded. */
export const RunErrorCode = {
  /** An option, or `TRACE_MODE`, has a value that is not allowed. */
  INVALID_OPTION: 'RUN_INVALID_OPTION',
  /** Replay was asked for (or is forced, in CI), but the store holds no tape under the id. */
  NO_TAPE: 'RUN_NO_TAPE',
  /** The tape under the id was never finished: a recording crashed, or is still running. */
  TAPE_INCOMPLETE: 'RUN_TAPE_INCOMPLETE',
  /** The run ended with recorded exchanges or draws it never asked for. */
  UNCONSUMED: 'RUN_UNCONSUMED',
  /** The store file's folder cannot be created. */
  STORE_UNAVAILABLE: 'RUN_STORE_UNAVAILABLE',
  /** The run is closed: nothing more can be drawn, annotated, fetched or scoped through it. */
  CLOSED: 'RUN_CLOSED',
  /** The recording could not be written: the tape is incomplete. */
  RECORD_FAILED: 'RUN_RECORD_FAILED',
} as const;
export type RunErrorCode = (typeof RunErrorCode)[keyof typeof RunErrorCode];

/** Every error @trace/run throws on purpose. */
export class RunError extends TraceError<RunErrorCode> {
  static override readonly brand = Symbol.for('@trace/run.RunError');
}
