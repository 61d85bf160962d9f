import { placeholderEnd } from '@trace/redact';
import type {
  DecisionEvent,
  JsonValue,
  PhaseEvent,
  PhaseName,
  SamplingEvent,
  SamplingStatus,
  ToolCallEvent,
  ToolCallStatus,
  VerdictEvent,
} from '@trace/spec';
import { AuditError } from './errors.js';

/** Type of the entry the log writes when it repairs a torn line (reserved `audit.` prefix). */
export const REPAIR_EVENT_TYPE = 'audit.repair';

/** Error texts in events are cut to this many characters. */
export const MAX_ERROR_CHARS = 200;

const PHASES = new Set<string>(['propose', 'execute', 'observe', 'evaluate', 'decide']);

const SAMPLING_STATUSES = new Set<string>([
  'used',
  'rejected',
  'fell_back',
  'unavailable',
  'disabled',
]);

const TOOL_STATUSES = new Set<string>(['ok', 'failed', 'skipped_not_allowed']);

/** Input form of a phase event: times may be Dates. */
export type PhaseInput = Omit<PhaseEvent, 'startedAt' | 'endedAt'> & {
  readonly startedAt: string | Date;
  readonly endedAt: string | Date;
};

/**
 * Cuts text to `max` characters, ending in an ellipsis when cut. Never splits a surrogate pair,
 * nor a redaction placeholder (texts are redacted before they are cut): a placeholder the cut
 * would split is left out whole.
 */
export function cut(text: string, max = MAX_ERROR_CHARS): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  const open = text.lastIndexOf('[REDACTED:', end - 1);
  if (open !== -1 && placeholderEnd(text, open) > end) end = open;
  return `${text.slice(0, end)}…`;
}

/** Validates and normalises a phase event. */
export function phasePayload(input: PhaseInput): PhaseEvent {
  const o = object(input, 'phase');
  const out: { -readonly [K in keyof PhaseEvent]: PhaseEvent[K] } = {
    iteration: iteration(o.iteration, 'phase.iteration'),
    phase: oneOf(o.phase, PHASES, 'phase.phase') as PhaseName,
    status: oneOf(
      o.status,
      new Set(['succeeded', 'failed']),
      'phase.status',
    ) as PhaseEvent['status'],
    startedAt: time(o.startedAt, 'phase.startedAt'),
    endedAt: time(o.endedAt, 'phase.endedAt'),
  };
  if (out.status === 'failed' && o.error !== undefined)
    out.error = cut(text(o.error, 'phase.error'));
  return sorted(out);
}

/** Validates a verdict event. */
export function verdictPayload(input: VerdictEvent): VerdictEvent {
  const o = object(input, 'verdict');
  const out: { -readonly [K in keyof VerdictEvent]: VerdictEvent[K] } = {
    iteration: iteration(o.iteration, 'verdict.iteration'),
    verdict: nonEmpty(o.verdict, 'verdict.verdict'),
    reason: text(o.reason, 'verdict.reason'),
  };
  if (o.rationale !== undefined) out.rationale = text(o.rationale, 'verdict.rationale');
  return sorted(out);
}

/** Validates a sampling event. */
export function samplingPayload(input: SamplingEvent): SamplingEvent {
  const o = object(input, 'sampling');
  const out: { -readonly [K in keyof SamplingEvent]: SamplingEvent[K] } = {
    purpose: nonEmpty(o.purpose, 'sampling.purpose'),
    status: oneOf(o.status, SAMPLING_STATUSES, 'sampling.status') as SamplingStatus,
    backend: nonEmpty(o.backend, 'sampling.backend'),
  };
  if (o.modelId !== undefined) out.modelId = text(o.modelId, 'sampling.modelId');
  if (o.outputBytes !== undefined) out.outputBytes = count(o.outputBytes, 'sampling.outputBytes');
  if (o.validationError !== undefined)
    out.validationError = cut(text(o.validationError, 'sampling.validationError'));
  if (o.inputTokens !== undefined) out.inputTokens = count(o.inputTokens, 'sampling.inputTokens');
  if (o.outputTokens !== undefined)
    out.outputTokens = count(o.outputTokens, 'sampling.outputTokens');
  if (o.iteration !== undefined) out.iteration = iteration(o.iteration, 'sampling.iteration');
  if (o.context !== undefined) out.context = text(o.context, 'sampling.context');
  return sorted(out);
}

/** Validates a tool / script call event. */
export function toolCallPayload(input: ToolCallEvent): ToolCallEvent {
  const o = object(input, 'tool_call');
  const duration = o.durationMs;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) {
    throw invalid('tool_call.durationMs', 'a finite number of milliseconds, 0 or more', duration);
  }
  if (typeof o.fromScript !== 'boolean')
    throw invalid('tool_call.fromScript', 'a boolean', o.fromScript);
  const out: { -readonly [K in keyof ToolCallEvent]: ToolCallEvent[K] } = {
    tool: nonEmpty(o.tool, 'tool_call.tool'),
    status: oneOf(o.status, TOOL_STATUSES, 'tool_call.status') as ToolCallStatus,
    durationMs: duration,
    fromScript: o.fromScript,
  };
  if (o.error !== undefined) out.error = cut(text(o.error, 'tool_call.error'));
  if (o.iteration !== undefined) out.iteration = iteration(o.iteration, 'tool_call.iteration');
  return sorted(out);
}

/** Validates a decision record. */
export function decisionPayload(input: DecisionEvent): DecisionEvent {
  const o = object(input, 'decision');
  if (typeof o.approved !== 'boolean') throw invalid('decision.approved', 'a boolean', o.approved);
  if (!Array.isArray(o.votes))
    throw invalid('decision.votes', 'an array of { voter, passed, reason }', o.votes);
  const votes = o.votes.map((vote: unknown, i: number) => {
    const v = object(vote, `decision.votes[${i}]`);
    if (typeof v.passed !== 'boolean')
      throw invalid(`decision.votes[${i}].passed`, 'a boolean', v.passed);
    // Members in sorted order, so the payload is already canonical.
    return {
      passed: v.passed,
      reason: text(v.reason, `decision.votes[${i}].reason`),
      voter: nonEmpty(v.voter, `decision.votes[${i}].voter`),
    };
  });
  if (o.subject === undefined) throw invalid('decision.subject', 'a JSON value', o.subject);
  return {
    action: nonEmpty(o.action, 'decision.action'),
    approved: o.approved,
    reason: text(o.reason, 'decision.reason'),
    subject: o.subject as JsonValue,
    votes,
  };
}

/** Keys of a decision subject that listeners may see by default. */
export const DEFAULT_SUBJECT_WHITELIST: readonly string[] = [
  'id',
  'kind',
  'type',
  'name',
  'version',
  'title',
  'status',
];

/**
 * The summary of a decision subject that listeners see: for an object, only whitelisted members
 * holding a string (cut to 200), number or boolean; for an array, its length; a string is cut to 200.
 */
export function summariseSubject(subject: unknown, whitelist: readonly string[]): JsonValue {
  if (typeof subject === 'string') return cut(subject);
  if (typeof subject === 'number' || typeof subject === 'boolean' || subject === null)
    return subject;
  if (Array.isArray(subject)) return { count: subject.length };
  if (typeof subject !== 'object' || subject === undefined) return null;
  const summary: { [key: string]: JsonValue } = {};
  for (const key of whitelist) {
    const value = (subject as Record<string, unknown>)[key];
    if (typeof value === 'string') summary[key] = cut(value);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean')
      summary[key] = value;
  }
  return summary;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(where, 'an object', value);
  return value as Record<string, unknown>;
}

function iteration(value: unknown, where: string): number {
  // A boolean (inLoop === true) must never be read as iteration 1.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(
      where,
      'an iteration index: an integer, 0 or more (a boolean is not an index)',
      value,
    );
  }
  return value;
}

function count(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalid(where, 'an integer, 0 or more', value);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw invalid(where, 'a string', value);
  return value;
}

function nonEmpty(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalid(where, 'a non-empty string', value);
  return value;
}

function oneOf(value: unknown, allowed: Set<string>, where: string): string {
  if (typeof value !== 'string' || !allowed.has(value))
    throw invalid(where, `one of ${[...allowed].join(', ')}`, value);
  return value;
}

function time(value: unknown, where: string): string {
  const date =
    value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime()))
    throw invalid(where, 'an ISO 8601 time or a Date', value);
  return date.toISOString();
}

function invalid(where: string, expected: string, got: unknown) {
  const shown =
    typeof got === 'string'
      ? JSON.stringify(cut(got, 40))
      : typeof got === 'object'
        ? got === null
          ? 'null'
          : Array.isArray(got)
            ? 'an array'
            : 'an object'
        : String(got);
  return new AuditError(
    'AUDIT_INVALID_EVENT',
    `${where} must be ${expected}; got ${shown}. Fix the event before logging it.`,
    {
      details: { field: where },
    },
  );
}

/** The same object with its members in code-unit order: then its JSON is already canonical. */
function sorted<T extends object>(object: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object).sort()) out[key] = (object as Record<string, unknown>)[key];
  return out as T;
}
