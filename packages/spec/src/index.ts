/**
 * @trace/spec: what every @trace package shares — the error family, one JSON value type with one
 * validator and one canonical form, SHA-256, scoped globals that survive duplicate copies, and the
 * shapes of tape events, draws and audit entries. No dependencies.
 */
export { findTraceError, hasTraceErrorCode } from './errors/find.js';
export { SpecError, SpecErrorCode } from './errors/spec-error.js';
export { TraceError, type TraceErrorOptions } from './errors/trace-error.js';
export { sha256, sha256Hex, toHex } from './hash.js';
export {
  type CopyJsonOptions,
  canonicalJson,
  copyJson,
  findJsonProblem,
  isCanonicalJsonText,
  type JsonTextOptions,
  jsonText,
} from './json/json.js';
export {
  type JsonObject,
  type JsonOptions,
  type JsonProblem,
  type JsonValue,
  MAX_JSON_DEPTH,
} from './json/json-value.js';
export {
  AUDIT_ENTRY_VERSION,
  type AuditEntry,
  type AuditPayload,
  type DecisionEvent,
  type DecisionVote,
  GENESIS_HASH,
  LOOP_EVENT_TYPES,
  type LoopEventType,
  type PhaseEvent,
  type PhaseName,
  type SamplingEvent,
  type SamplingStatus,
  type ToolCallEvent,
  type ToolCallStatus,
  type VerdictEvent,
} from './model/audit-entries.js';
export { DrawKind } from './model/draw-kind.js';
export type {
  AnnotationEvent,
  Chunk,
  DeterminismBoundary,
  DrawEvent,
  ExchangeEvent,
  ExchangeTiming,
  HeaderList,
  RecordedBody,
  RecordedError,
  RecordedRequest,
  RecordedResponse,
  StreamEnd,
  TapeContent,
  TapeEvent,
  TapeEventType,
  TapeMetadata,
} from './model/tape-events.js';
export {
  type GlobalScope,
  globalScope,
  outsideScopes,
  sharedGlobal,
} from './scope/global-scope.js';
export { parseSse, type SseEvent } from './sse.js';
