import { TraceError } from '@trace/spec';

/** Error codes thrown by `@trace/llm-server`. */
export const LlmServerErrorCode = {
  /** A script step is not one the server can play. */
  INVALID_STEP: 'LLM_SERVER_INVALID_STEP',
  /** An option of `startLlmServer` is not allowed. */
  INVALID_OPTIONS: 'LLM_SERVER_INVALID_OPTIONS',
  /** The server could not listen on 127.0.0.1. */
  LISTEN_FAILED: 'LLM_SERVER_LISTEN_FAILED',
} as const;
export type LlmServerErrorCode = (typeof LlmServerErrorCode)[keyof typeof LlmServerErrorCode];

/** Thrown for an invalid script step or option, or when the server cannot listen. */
export class LlmServerError extends TraceError<LlmServerErrorCode> {
  static override readonly brand: symbol = Symbol.for('@trace/llm-server.LlmServerError');
}
