import type { AuditEntry, PhaseEvent, ToolCallEvent } from '@trace/spec';
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
  if (entry.type !== 'tool_call' && entry.type !== 'phase') return undefined;
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
