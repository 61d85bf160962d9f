export { LlmServerError, LlmServerErrorCode } from './errors.js';
export { startLlmServer } from './server.js';
export type {
  LlmServer,
  LlmServerOptions,
  ReceivedRequest,
  ScriptStep,
} from './types.js';
