import { TraceError } from '@trace/spec';

/** The stable codes of {@link RedactError}. */
export const RedactErrorCode = {
  /** An option is malformed: a path rule, a key name, a header pattern, a short `hashKey`. */
  INVALID_OPTIONS: 'REDACT_INVALID_OPTIONS',
  /** An argument is not what the method redacts: a body that is not bytes, a cyclic value. */
  INVALID_INPUT: 'REDACT_INVALID_INPUT',
} as const;
export type RedactErrorCode = (typeof RedactErrorCode)[keyof typeof RedactErrorCode];

/**
 * Every error `@trace/redact` throws on purpose; `code` says which. Its message never holds a
 * secret: what it quotes from the input has been redacted first.
 */
export class RedactError extends TraceError<RedactErrorCode> {
  static override readonly brand = Symbol.for('@trace/redact.RedactError');
}
