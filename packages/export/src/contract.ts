/**
 * The action-trace contract, version 1: the shape every export produces.
 *
 * Compatibility rule: `version` is bumped only on a breaking change (a field removed, renamed, or
 * given a new meaning or type). New optional fields may be added within a version, so consumers
 * must ignore keys they do not know. The JSON Schema in `schema/action-trace-v1.schema.json`
 * describes exactly this file's types.
 */

import type { JsonValue } from '@trace/spec';

/** The `schema` value of every envelope and JSONL header this package writes. */
export const ACTION_TRACE_SCHEMA = 'trace.action-trace';

/** The contract version this build writes and the newest it reads. */
export const ACTION_TRACE_VERSION = 1;

/**
 * Error messages are cut to this many UTF-16 code units (after redaction, so a cut can never
 * leave a fragment of a secret that the detectors would have recognised whole). A cut message
 * ends with `…` and the trace's `error.truncated` is `true`.
 */
export const ERROR_MESSAGE_MAX_LENGTH = 512;

/**
 * What kind of action a trace records. `decision` (an audited decision or verdict) and
 * `sampling` (an audited model-call outcome no recorded model call stands for) were added within
 * version 1: consumers must treat a kind they do not know as a generic action (see the README's
 * versioning rules).
 */
export type ActionKind =
  | 'model_call'
  | 'tool_call'
  | 'script_call'
  | 'phase'
  | 'decision'
  | 'sampling';

/** How sensitive the data the capability handled is, as the capability declared it. */
export type Sensitivity = 'none' | 'pii' | 'pci' | 'secrets' | 'memory';

/** Who the action ran for or as. */
export interface Principal {
  readonly kind: 'agent' | 'user' | 'service';
  readonly id: string;
}

export interface ActionError {
  /** A short class of failure: an exception name, a provider error type, `http_500`. */
  readonly type: string;
  /** Redacted, then cut to {@link ERROR_MESSAGE_MAX_LENGTH}. */
  readonly message: string;
  /** Present and true when the message was cut. */
  readonly truncated?: true;
}

/**
 * What came back, described by counts and flags. The raw payload is never part of the summary;
 * it appears (redacted) in `result.value` only when the export was told to allow it.
 */
export interface ResultSummary {
  readonly type: 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'bytes';
  /** Size of the raw result: UTF-8 bytes of its JSON text, or of the bytes themselves. */
  readonly bytes: number;
  /** Array length, object key count, or string length in characters. */
  readonly items?: number;
  /** Content blocks in a model response. */
  readonly contentBlocks?: number;
  /** Tool calls a model response asked for. */
  readonly toolCalls?: number;
  /** The result was a stream. */
  readonly streamed?: true;
  /** A stream that ended early (cancelled or failed): the result is a prefix. */
  readonly incomplete?: true;
  /** The capability reported the result as an error (e.g. a tool result with `is_error`). */
  readonly isError?: true;
}

export interface ActionResult {
  readonly summary: ResultSummary;
  /** The redacted raw result; present only when raw results were allowed at export time. */
  readonly value?: JsonValue;
}

/** Model-call facts, from the provider's request and response. */
export interface ModelInfo {
  readonly provider: 'anthropic' | 'openai';
  readonly requestModel?: string;
  readonly responseModel?: string;
  readonly responseId?: string;
  readonly finishReasons?: readonly string[];
  /** Input tokens as the provider reported them (Anthropic's exclude cached tokens). */
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** Input tokens served from the provider's cache (Anthropic `cache_read_input_tokens`, OpenAI `cached_tokens`). */
  readonly cacheReadInputTokens?: number;
  /** Input tokens written to the provider's cache (Anthropic `cache_creation_input_tokens`). */
  readonly cacheCreationInputTokens?: number;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly streamed: boolean;
  /** The host the request went to, from the recorded URL. */
  readonly serverAddress?: string;
  /** The port the request went to (the scheme's default when the URL names none). */
  readonly serverPort?: number;
}

/** One voter's vote in an audited decision. */
export interface DecisionVote {
  readonly voter: string;
  readonly passed: boolean;
  readonly reason: string;
}

/** An audited decision (`decision` entry) or decide-phase verdict (`verdict` entry). */
export interface DecisionInfo {
  /** Whether the gated action was approved (decision entries). */
  readonly approved?: boolean;
  /** The verdict (verdict entries), such as `accept` or `revise`. */
  readonly verdict?: string;
  /** Why, redacted. */
  readonly reason: string;
  /** Why the plan is being revised (verdict entries), redacted. */
  readonly rationale?: string;
  readonly votes?: readonly DecisionVote[];
}

/** An audited sampling (model call) outcome. */
export interface SamplingInfo {
  /** What the model was asked for (`propose`, `observe`, …). */
  readonly purpose: string;
  /** `used`, `rejected`, `fell_back`, `unavailable` or `disabled` (an open set). */
  readonly status: string;
  readonly backend: string;
  readonly modelId?: string;
  readonly outputBytes?: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** Why the output was rejected, redacted. */
  readonly validationError?: string;
  /** Where sampling happened, when outside the agent loop. */
  readonly context?: string;
}

/** A human's correction of the action, attached at export time. */
export interface Correction {
  readonly by: string;
  readonly note: string;
  /** ISO 8601 time of the correction. */
  readonly at: string;
}

/** Where the trace came from, so an export can be traced back to its evidence. */
export interface Evidence {
  readonly tape?: {
    /** The tape's hex fingerprint. */
    readonly fingerprint: string;
    /**
     * Zero-based position of the exchange among the tape's `exchange` events only (draws and
     * annotations are not counted).
     */
    readonly exchangeIndex: number;
    /** For a tool call read from a model response: zero-based position among its tool calls. */
    readonly toolCallIndex?: number;
  };
  readonly audit?: {
    readonly seq: number;
    readonly session?: string;
    /** The audit entry's chain hash, to join against a verified log. */
    readonly hash?: string;
  };
}

/** One action the agent took. */
export interface ActionTrace {
  /** Stable id, derived from the evidence, so re-exporting the same source yields the same id. */
  readonly id: string;
  /** Groups the actions of one agent run (one OTLP trace). */
  readonly runId: string;
  readonly kind: ActionKind;
  /** The tool, script, model-call capability or phase name. */
  readonly name: string;
  readonly principal: Principal;
  /** ISO 8601 UTC time the action started. */
  readonly invokedAt: string;
  /** Present when the source recorded how long the action took. */
  readonly durationMs?: number;
  readonly status: 'succeeded' | 'failed';
  /** Present exactly when `status` is `failed`. */
  readonly error?: ActionError;
  /** The redacted arguments, when the source recorded them. */
  readonly arguments?: JsonValue;
  /** The result, when the source recorded it. */
  readonly result?: ActionResult;
  readonly sensitivity: Sensitivity;
  readonly evidence: Evidence;
  /** For a model call. */
  readonly model?: ModelInfo;
  /** The provider's id for a tool call (`toolu_…`, `call_…`), to join with the model call. */
  readonly callId?: string;
  /** The action that caused this one (the model call that asked for a tool). */
  readonly parentId?: string;
  /** The agent loop iteration. */
  readonly iteration?: number;
  /** Free-form annotations the run attached, redacted. */
  readonly annotations?: readonly JsonValue[];
  /** Flat, redacted key/value metadata. */
  readonly metadata?: Readonly<Record<string, string | number | boolean>>;
  readonly correction?: Correction;
  /** For a `decision` trace: what was decided. */
  readonly decision?: DecisionInfo;
  /** The audited sampling outcome: on a `sampling` trace, or on the model call it describes. */
  readonly sampling?: SamplingInfo;
}

/** What `exportActionTraces` returns. */
export interface ActionTraceEnvelope {
  readonly schema: typeof ACTION_TRACE_SCHEMA;
  readonly version: typeof ACTION_TRACE_VERSION;
  /** Present when the caller passed `exportedAt`; left out by default so exports are reproducible. */
  readonly exportedAt?: string;
  readonly traces: readonly ActionTrace[];
}
