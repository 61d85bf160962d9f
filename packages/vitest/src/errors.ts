import { TraceError } from '@trace/spec';

/** Every stable error code @trace/vitest throws. Documented in the README; never reworded. */
export const TraceVitestErrorCode = {
  /** An option given to `traceFixtures` or `test.scoped({ trace })` has a value not allowed. */
  INVALID_OPTION: 'VITEST_INVALID_OPTION',
  /** The test ran without `tracePlugin()` in the vitest config, so `-u` could not be seen. */
  PLUGIN_MISSING: 'VITEST_PLUGIN_MISSING',
  /** Two tests in one file have the same describe chain and title, so they would share a tape. */
  DUPLICATE_TEST: 'VITEST_DUPLICATE_TEST',
  /** The test's replay left its tape: a request or a draw the tape does not hold there. */
  DIVERGED: 'VITEST_DIVERGED',
  /** The test ended with recorded exchanges or draws it never used. */
  UNCONSUMED: 'VITEST_UNCONSUMED',
  /** Strict replay (CI, or `mode: 'replay'`) found no tape for the test. */
  NO_TAPE: 'VITEST_NO_TAPE',
  /** The test's tape was left unfinished by a recording that crashed or still runs. */
  TAPE_INCOMPLETE: 'VITEST_TAPE_INCOMPLETE',
} as const;
export type TraceVitestErrorCode = (typeof TraceVitestErrorCode)[keyof typeof TraceVitestErrorCode];

/** Every error @trace/vitest throws on purpose. */
export class TraceVitestError extends TraceError<TraceVitestErrorCode> {
  static override readonly brand = Symbol.for('@trace/vitest.TraceVitestError');

  /**
   * vitest serialises a failed test's error after replacing its `cause` with a serialised,
   * prototype-less copy, which `TraceError`'s own summary cannot turn into a string: this one
   * keeps such a copy as it is.
   */
  override toJSON(): Record<string, unknown> {
    const { cause } = this;
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
    };
    if (Object.keys(this.details).length > 0) json.details = this.details;
    if (cause !== undefined) {
      json.cause = TraceError.isInstance(cause)
        ? cause.toJSON()
        : typeof cause === 'object' && cause !== null
          ? { ...cause }
          : String(cause);
    }
    return json;
  }
}
