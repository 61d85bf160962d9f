/**
 * @trace/export: a stable, versioned, redaction-safe export of LLM-agent action traces.
 *
 * Denied actions never produce a trace: a tool call the policy refused (audit status
 * `skipped_not_allowed`) did not run, and nothing about it is exported.
 */

/** Audit-log builder: tool calls, script calls and phases from `@trace/audit` entries. */
export { type AuditTraceOptions, tracesFromAudit } from './builders/audit.js';
/** Tape builder: model calls and the tool calls they asked for, from a `@trace/tape` tape. */
export { type TapeTraceOptions, tracesFromTape } from './builders/tape.js';
/** The contract: constants and the types of an export. */
export {
  ACTION_TRACE_SCHEMA,
  ACTION_TRACE_VERSION,
  type ActionError,
  type ActionKind,
  type ActionResult,
  type ActionTrace,
  type ActionTraceEnvelope,
  type Correction,
  type DecisionInfo,
  type DecisionVote,
  ERROR_MESSAGE_MAX_LENGTH,
  type Evidence,
  type ModelInfo,
  type Principal,
  type ResultSummary,
  type SamplingInfo,
  type Sensitivity,
} from './contract.js';
/** The input to an export. */
export type { ActionTraceDraft, CorrectionInput } from './draft.js';
/** The error class and its codes. */
export { ExportError, ExportErrorCode } from './errors.js';
/** Export drafts to the contract. */
export {
  createTraceExporter,
  type ExportOptions,
  exportActionTrace,
  exportActionTraces,
  type TraceExporter,
} from './export.js';
/** JSONL streaming export and its reader. */
export {
  exportJsonl,
  type JsonlHeader,
  type JsonlWriteResult,
  readJsonl,
  writeJsonl,
} from './jsonl.js';
/** One trace per action: the tape's and the audit log's drafts of one run, merged. */
export { mergeTraces } from './merge.js';
/** OTLP/JSON conversion per the GenAI semantic conventions (and OpenInference, opt-in). */
export {
  OTLP_SCOPE,
  type OtlpOptions,
  otlpRootSpanId,
  otlpSpanId,
  otlpTraceId,
  toOtlp,
} from './otlp/convert.js';
/** The OTLP/HTTP exporter: JSON or protobuf, optionally gzip-compressed. */
export {
  createOtlpExporter,
  OTLP_USER_AGENT,
  type OtlpExporter,
  type OtlpExporterOptions,
  type OtlpExportResult,
  type OtlpPartialSuccess,
  type OtlpProtocol,
  splitOtlpRequest,
} from './otlp/exporter.js';
/** OTLP/JSON types. */
export type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpTraceRequest,
} from './otlp/types.js';
/** Read an envelope back, refusing newer contract versions. */
export { readActionTraceEnvelope } from './read.js';
/** Redaction, usable on its own. */
export {
  createRedactor,
  isPlaceholder,
  type RedactionOptions,
  type RedactionScope,
  type Redactor,
} from './redact/redactor.js';
/** What a builder knows about a result beyond its value. */
export type { ResultFlags } from './summary.js';
