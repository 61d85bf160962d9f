import { TraceError } from '@trace/spec';

/** Error codes thrown by `@trace/llm-server`. */
export type LlmServerErrorCode =
  | 'LLM_SERVER_INVALID_STEP'
  | 'LLM_SERVER_INVALID_OPTIONS'
  | 'LLM_SERVER_LISTEN_FAILED';

/** Thrown for an invalid script step or option, or when the server cannot listen. */
export class LlmServerError extends TraceError {
  static override readonly brand: symbol = Symbol.for('@trace/llm-server.LlmServerError');
  declare readonly code: LlmServerErrorCode;
}
