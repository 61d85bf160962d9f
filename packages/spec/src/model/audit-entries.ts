/**
 * The shapes of an `@trace/audit` log, for its readers: one entry per line, and the payloads of the
 * agent-loop vocabulary. `@trace/audit` writes and verifies them; `@trace/export` turns them into
 * action traces.
 */
import type { JsonValue } from '../json/json-value.js';

/** The entry format version written today. A reader refuses entries with a larger `v`. */
export const AUDIT_ENTRY_VERSION = 1;

/** The `prev` of the very first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The payload of an entry: a JSON object. */
export type AuditPayload = { [key: string]: JsonValue };

/**
 * One line of the log. Stored as the canonical JSON of this object (sorted keys, no whitespace,
 * so `hash` comes first); `hash` is SHA-256, or HMAC-SHA-256 when the log is keyed, over the
 * canonical JSON of the entry without `hash`. The README specifies the format.
 */
export interface AuditEntry<P = AuditPayload> {
  /** Format version, 1. */
  readonly v: number;
  /** 1 for the first entry of the log; +1 for each entry after it, across day files. */
  readonly seq: number;
  /** ISO 8601 UTC time from the writer's clock, never earlier than the entry before. */
  readonly ts: string;
  /** The event type, such as `phase` or `verdict`; `audit.*` is reserved for the log itself. */
  readonly type: string;
  /** The agent session the entry belongs to, when there is one. */
  readonly session?: string;
  /** The event's data. */
  readonly payload: P;
  /** The `hash` of the entry before, or {@link GENESIS_HASH} for the first. */
  readonly prev: string;
  /** Lower-case hex SHA-256 or HMAC-SHA-256 of the canonical entry without `hash`. */
  readonly hash: string;
}

/** Event types of the agent-loop vocabulary: a stable, public contract. */
export const LOOP_EVENT_TYPES = ['phase', 'verdict', 'sampling', 'tool_call', 'decision'] as const;

/** One of {@link LOOP_EVENT_TYPES}. */
export type LoopEventType = (typeof LOOP_EVENT_TYPES)[number];

/** The phases of one agent-loop iteration, in order. */
export type PhaseName = 'propose' | 'execute' | 'observe' | 'evaluate' | 'decide';

/** Payload of a `phase` event. */
export interface PhaseEvent {
  readonly iteration: number;
  readonly phase: PhaseName;
  readonly status: 'succeeded' | 'failed';
  /** When the phase started: ISO 8601 UTC (a Date is converted). */
  readonly startedAt: string;
  /** When the phase ended: ISO 8601 UTC (a Date is converted). */
  readonly endedAt: string;
  /** Why it failed, cut to 200 characters; only kept when status is failed. */
  readonly error?: string;
}

/** Payload of a `verdict` event: one per decide outcome. */
export interface VerdictEvent {
  readonly iteration: number;
  readonly verdict: string;
  readonly reason: string;
  /** Why the plan is being revised, when the verdict asks for an adjustment. */
  readonly rationale?: string;
}

/** Outcome of one sampling (model call) attempt. */
export type SamplingStatus = 'used' | 'rejected' | 'fell_back' | 'unavailable' | 'disabled';

/** Payload of a `sampling` event. */
export interface SamplingEvent {
  readonly purpose: string;
  readonly status: SamplingStatus;
  readonly backend: string;
  readonly modelId?: string;
  readonly outputBytes?: number;
  /** Why the output was rejected, cut to 200 characters. */
  readonly validationError?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** The loop iteration, when sampling happened inside the loop. Must be an integer, never a boolean. */
  readonly iteration?: number;
  /** A label for where sampling happened, when outside the loop. */
  readonly context?: string;
}

/** Outcome of a tool or script call. */
export type ToolCallStatus = 'ok' | 'failed' | 'skipped_not_allowed';

/** Payload of a `tool_call` event. */
export interface ToolCallEvent {
  readonly tool: string;
  readonly status: ToolCallStatus;
  readonly durationMs: number;
  /** True when a script, not the model, drove the call. */
  readonly fromScript: boolean;
  /** Why it failed, cut to 200 characters. */
  readonly error?: string;
  readonly iteration?: number;
}

/** One voter's vote in a decision. */
export interface DecisionVote {
  readonly voter: string;
  readonly passed: boolean;
  readonly reason: string;
}

/** Payload of a `decision` event: a promotion, rejection or other gated action. */
export interface DecisionEvent {
  readonly action: string;
  readonly approved: boolean;
  readonly votes: readonly DecisionVote[];
  /** What was decided about. Stored whole; listeners see only a whitelisted summary. */
  readonly subject: JsonValue;
  readonly reason: string;
}
