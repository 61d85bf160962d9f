import type {
  AuditEntry,
  DecisionEvent,
  PhaseEvent,
  SamplingEvent,
  ToolCallEvent,
  VerdictEvent,
} from '@trace/spec';
import type { Principal } from '../contract.js';
import type { ActionTraceDraft } from '../draft.js';
import { ExportError, ExportErrorCode } from '../errors.js';
import { deriveActionId } from '../ids.js';
import { toIsoTime } from '../time.js';

/** How to read audit entries into trace drafts. */
export interface AuditTraceOptions {
  /** Groups the drafts; default `audit:<session>` (or `audit` for entries without a session). */
  readonly runId?: string;
  readonly principal?: Principal;
}

const AUDIT_FORMAT_VERSION = 1;
const PHASES = new Set(['propose', 'execute', 'observe', 'evaluate', 'decide']);
const READ_TYPES = new Set(['tool_call', 'phase', 'decision', 'verdict', 'sampling']);
/** Sampling outcomes in which the model's output was used (directly or by a fallback). */
const SAMPLING_SUCCEEDED = new Set(['used', 'fell_back']);

type Common = Pick<ActionTraceDraft, 'id' | 'runId' | 'principal' | 'evidence'>;

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

function decisionDraft(
  payload: Record<string, unknown>,
  common: Common,
  ts: string,
  index: number,
): ActionTraceDraft {
  const p = payload as unknown as DecisionEvent;
  if (typeof p.action !== 'string' || p.action.length === 0)
    invalid(index, '(decision) has no `action`.');
  if (typeof p.approved !== 'boolean') invalid(index, '(decision) has no boolean `approved`.');
  const votes = Array.isArray(p.votes)
    ? p.votes.filter(
        (v) =>
          typeof v?.voter === 'string' &&
          typeof v.passed === 'boolean' &&
          typeof v.reason === 'string',
      )
    : [];
  return {
    ...common,
    kind: 'decision',
    name: p.action,
    invokedAt: ts,
    status: 'succeeded',
    ...(p.subject !== undefined ? { arguments: p.subject } : {}),
    decision: {
      approved: p.approved,
      reason: typeof p.reason === 'string' ? p.reason : '',
      votes: votes.map((v) => ({ voter: v.voter, passed: v.passed, reason: v.reason })),
    },
  };
}

function verdictDraft(
  payload: Record<string, unknown>,
  common: Common,
  ts: string,
  index: number,
): ActionTraceDraft {
  const p = payload as unknown as VerdictEvent;
  if (typeof p.verdict !== 'string' || p.verdict.length === 0)
    invalid(index, '(verdict) has no `verdict`.');
  return {
    ...common,
    kind: 'decision',
    name: 'verdict',
    invokedAt: ts,
    status: 'succeeded',
    ...(isCount(p.iteration) ? { iteration: p.iteration } : {}),
    decision: {
      verdict: p.verdict,
      reason: typeof p.reason === 'string' ? p.reason : '',
      ...(typeof p.rationale === 'string' ? { rationale: p.rationale } : {}),
    },
  };
}

function samplingDraft(
  payload: Record<string, unknown>,
  common: Common,
  ts: string,
  index: number,
): ActionTraceDraft {
  const p = payload as unknown as SamplingEvent;
  if (typeof p.purpose !== 'string' || p.purpose.length === 0)
    invalid(index, '(sampling) has no `purpose`.');
  if (typeof p.status !== 'string' || p.status.length === 0)
    invalid(index, '(sampling) has no `status`.');
  if (typeof p.backend !== 'string' || p.backend.length === 0)
    invalid(index, '(sampling) has no `backend`.');
  const succeeded = SAMPLING_SUCCEEDED.has(p.status);
  return {
    ...common,
    kind: 'sampling',
    name: p.purpose,
    invokedAt: ts,
    status: succeeded ? 'succeeded' : 'failed',
    ...(succeeded
      ? {}
      : {
          error: {
            type: `sampling_${p.status}`,
            message: typeof p.validationError === 'string' ? p.validationError : '',
          },
        }),
    ...(isCount(p.iteration) ? { iteration: p.iteration } : {}),
    sampling: {
      purpose: p.purpose,
      status: p.status,
      backend: p.backend,
      ...(typeof p.modelId === 'string' && p.modelId.length > 0 ? { modelId: p.modelId } : {}),
      ...(isCount(p.outputBytes) ? { outputBytes: p.outputBytes } : {}),
      ...(isCount(p.inputTokens) ? { inputTokens: p.inputTokens } : {}),
      ...(isCount(p.outputTokens) ? { outputTokens: p.outputTokens } : {}),
      ...(typeof p.validationError === 'string' ? { validationError: p.validationError } : {}),
      ...(typeof p.context === 'string' ? { context: p.context } : {}),
    },
  };
}

function invalid(index: number, message: string, cause?: unknown): never {
  throw new ExportError(ExportErrorCode.INVALID_SOURCE, `Audit entry ${index}: ${message}`, {
    details: { index },
    ...(cause !== undefined ? { cause } : {}),
  });
}

function parseEntry(raw: AuditEntry | string, index: number): AuditEntry {
  let entry: unknown = raw;
  if (typeof raw === 'string') {
    try {
      entry = JSON.parse(raw);
    } catch (cause) {
      invalid(index, 'is not JSON: pass the audit log lines or their parsed objects.', cause);
    }
  }
  const e = entry as Partial<AuditEntry> | null;
  if (typeof e !== 'object' || e === null) invalid(index, 'is not an object.');
  if (typeof e.v !== 'number') invalid(index, 'has no format version `v`.');
  if (e.v > AUDIT_FORMAT_VERSION) {
    invalid(
      index,
      `uses audit format ${e.v}, newer than this build reads (${AUDIT_FORMAT_VERSION}): upgrade @trace/export.`,
    );
  }
  if (typeof e.seq !== 'number' || !Number.isInteger(e.seq) || e.seq < 0)
    invalid(index, 'has no sequence number `seq`.');
  if (typeof e.type !== 'string') invalid(index, 'has no `type`.');
  if (toIsoTime(e.ts) === undefined) invalid(index, 'has no valid ISO time `ts`.');
  return e as AuditEntry;
}

/**
 * Reads tool calls, script calls and phases from audit entries (parsed objects or JSONL lines).
 *
 * - `tool_call` entries become `tool_call` traces, or `script_call` when `fromScript`; the
 *   entry is written when the call ends, so the call started `durationMs` before `ts`.
 *   Entries with status `skipped_not_allowed` were denied: a denied action never produces a
 *   trace.
 * - `phase` entries become `phase` traces named after the phase, timed by `startedAt`/`endedAt`.
 * - `decision` entries become `decision` traces named after the gated action, with
 *   `decision: { approved, reason, votes }` and the subject as arguments; `verdict` entries
 *   become `decision` traces named `verdict`, with `decision: { verdict, reason, rationale? }`.
 *   A decision is `succeeded` whatever it decided: the trace records that it was made.
 * - `sampling` entries become `sampling` traces named after their purpose, with
 *   `sampling: { purpose, status, backend, … }`; `used` and `fell_back` are `succeeded`, the
 *   other statuses `failed`. `mergeTraces` folds a `used` one into the model call it describes.
 * - Other entry types are skipped.
 *
 * Evidence is the entry's `seq`, `session` and `hash`.
 */
export function tracesFromAudit(
  entries: Iterable<AuditEntry | string>,
  options: AuditTraceOptions = {},
): ActionTraceDraft[] {
  if (typeof (entries as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function') {
    throw new ExportError(
      ExportErrorCode.INVALID_SOURCE,
      'tracesFromAudit takes an array (or iterable) of audit entries or JSONL lines.',
    );
  }
  const drafts: ActionTraceDraft[] = [];
  let index = 0;
  for (const raw of entries) {
    const entry = parseEntry(raw, index);
    const draft = draftFromEntry(entry, index, options);
    if (draft !== undefined) drafts.push(draft);
    index++;
  }
  return drafts;
}

function draftFromEntry(
  entry: AuditEntry,
  index: number,
  options: AuditTraceOptions,
): ActionTraceDraft | undefined {
  if (!READ_TYPES.has(entry.type)) return undefined;
  const payload = entry.payload as Record<string, unknown> | null;
  if (typeof payload !== 'object' || payload === null)
    invalid(index, `(${entry.type}) has no payload object.`);
  const session = typeof entry.session === 'string' ? entry.session : undefined;
  const common = {
    id: deriveActionId('audit', session ?? '', entry.seq),
    runId: options.runId ?? (session !== undefined ? `audit:${session}` : 'audit'),
    ...(options.principal !== undefined ? { principal: options.principal } : {}),
    evidence: {
      audit: {
        seq: entry.seq,
        ...(session !== undefined ? { session } : {}),
        ...(typeof entry.hash === 'string' && /^[0-9a-f]+$/i.test(entry.hash)
          ? { hash: entry.hash }
          : {}),
      },
    },
  };
  if (entry.type === 'tool_call') {
    const p = payload as unknown as ToolCallEvent;
    if (p.status === 'skipped_not_allowed') return undefined;
    if (typeof p.tool !== 'string' || p.tool.length === 0)
      invalid(index, '(tool_call) has no `tool` name.');
    if (p.status !== 'ok' && p.status !== 'failed')
      invalid(index, `(tool_call) has unknown status ${JSON.stringify(p.status)}.`);
    const durationMs =
      typeof p.durationMs === 'number' && Number.isFinite(p.durationMs) && p.durationMs >= 0
        ? p.durationMs
        : undefined;
    // The entry is written when the call ends; a duration reaching outside the representable
    // years is refused here rather than thrown as a RangeError from Date.
    const invokedAt =
      toIsoTime(Date.parse(entry.ts) - (durationMs ?? 0)) ??
      invalid(index, '(tool_call) has a `durationMs` that puts its start outside years 0000–9999.');
    return {
      ...common,
      kind: p.fromScript === true ? 'script_call' : 'tool_call',
      name: p.tool,
      invokedAt,
      ...(durationMs !== undefined ? { durationMs } : {}),
      status: p.status === 'ok' ? 'succeeded' : 'failed',
      ...(p.status === 'failed'
        ? { error: { type: 'ToolError', message: typeof p.error === 'string' ? p.error : '' } }
        : {}),
      ...(typeof p.iteration === 'number' && Number.isInteger(p.iteration) && p.iteration >= 0
        ? { iteration: p.iteration }
        : {}),
    };
  }
  if (entry.type === 'decision') return decisionDraft(payload, common, entry.ts, index);
  if (entry.type === 'verdict') return verdictDraft(payload, common, entry.ts, index);
  if (entry.type === 'sampling') return samplingDraft(payload, common, entry.ts, index);
  const p = payload as unknown as PhaseEvent;
  if (!PHASES.has(p.phase)) invalid(index, `(phase) has unknown phase ${JSON.stringify(p.phase)}.`);
  if (p.status !== 'succeeded' && p.status !== 'failed')
    invalid(index, `(phase) has unknown status ${JSON.stringify(p.status)}.`);
  const started = toIsoTime(p.startedAt) ?? invalid(index, '(phase) has no valid `startedAt`.');
  const ended = toIsoTime(p.endedAt);
  return {
    ...common,
    kind: 'phase',
    name: p.phase,
    invokedAt: started,
    ...(ended !== undefined
      ? { durationMs: Math.max(0, Date.parse(ended) - Date.parse(started)) }
      : {}),
    status: p.status,
    ...(p.status === 'failed'
      ? { error: { type: 'PhaseError', message: typeof p.error === 'string' ? p.error : '' } }
      : {}),
    ...(Number.isInteger(p.iteration) && p.iteration >= 0 ? { iteration: p.iteration } : {}),
  };
}
