/**
 * One action, one trace: a run read from its tape and from its audit log describes some actions
 * twice. The tape knows a tool call's arguments, result and call id; the audit log knows how long
 * it ran and in which iteration. Merging gives one trace that carries both.
 */
import type { Evidence } from './contract.js';
import type { ActionTraceDraft } from './draft.js';
import { ExportError, ExportErrorCode } from './errors.js';

/** Positions of tape drafts waiting for a partner, keyed by what pairs them (run and tool name, or run). */
class Queues {
  private readonly queues = new Map<string, number[]>();
  push(key: string, position: number): void {
    const queue = this.queues.get(key);
    if (queue === undefined) this.queues.set(key, [position]);
    else queue.push(position);
  }
  shift(key: string): number | undefined {
    return this.queues.get(key)?.shift();
  }
}

const toolKey = (draft: ActionTraceDraft): string => `${draft.runId}\u0000tool\u0000${draft.name}`;
const modelKey = (draft: ActionTraceDraft): string => `${draft.runId}\u0000model`;

function mergedEvidence(tape: ActionTraceDraft, audit: ActionTraceDraft): Evidence {
  return {
    ...(tape.evidence?.tape !== undefined ? { tape: tape.evidence.tape } : {}),
    ...(audit.evidence?.audit !== undefined ? { audit: audit.evidence.audit } : {}),
  };
}

/** A tool call read twice: the tape's arguments, result and ids; the audit log's time. */
function mergeTool(tape: ActionTraceDraft, audit: ActionTraceDraft): ActionTraceDraft {
  const failed = tape.status === 'failed' || audit.status === 'failed';
  const error = audit.status === 'failed' ? audit.error : tape.error;
  return {
    ...tape,
    // The audit entry is written by the code that ran the tool, with its own clock; the tape
    // only brackets the call between two model requests.
    invokedAt: audit.invokedAt,
    ...(audit.durationMs !== undefined ? { durationMs: audit.durationMs } : {}),
    ...(audit.iteration !== undefined ? { iteration: audit.iteration } : {}),
    ...(audit.principal !== undefined && tape.principal === undefined
      ? { principal: audit.principal }
      : {}),
    status: failed ? 'failed' : 'succeeded',
    ...(failed && error !== undefined ? { error } : {}),
    evidence: mergedEvidence(tape, audit),
  };
}

/** A model call and the audited sampling outcome that describes it. */
function mergeSampling(model: ActionTraceDraft, sampling: ActionTraceDraft): ActionTraceDraft {
  return {
    ...model,
    ...(sampling.iteration !== undefined && model.iteration === undefined
      ? { iteration: sampling.iteration }
      : {}),
    ...(sampling.sampling !== undefined ? { sampling: sampling.sampling } : {}),
    evidence: mergedEvidence(model, sampling),
  };
}

function asList(drafts: Iterable<ActionTraceDraft>, what: string): ActionTraceDraft[] {
  if (typeof (drafts as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function') {
    throw new ExportError(
      ExportErrorCode.INVALID_TRACE,
      `mergeTraces takes the ${what} drafts as an array (or iterable).`,
    );
  }
  return [...drafts];
}

/**
 * Merges the drafts `tracesFromTape` and `tracesFromAudit` read from one run (give both the same
 * `runId`), so each action is one trace:
 *
 * - A tool call read from both becomes one trace: the tape's id, arguments, result, call id and
 *   parent; the audit log's start, duration and iteration; failed when either says so; evidence
 *   from both. Within a run, the n-th audited call of a tool is the n-th call of that tool the
 *   tape shows (both are in the order the agent ran them); script calls are the audit log's alone.
 * - A `used` sampling entry is folded into the model call it describes, the n-th successful
 *   model call of the run: the call gains `sampling`, the iteration and the audit evidence.
 * - Everything else is kept as it is: the tape's drafts in order, then the audit log's that no
 *   tape draft took.
 *
 * Drafts of different runs are never merged.
 */
export function mergeTraces(
  tapeDrafts: Iterable<ActionTraceDraft>,
  auditDrafts: Iterable<ActionTraceDraft>,
): ActionTraceDraft[] {
  const tape = asList(tapeDrafts, 'tape');
  const audit = asList(auditDrafts, 'audit');
  const waiting = new Queues();
  tape.forEach((draft, i) => {
    if (draft?.evidence?.audit !== undefined) return;
    if (draft?.kind === 'tool_call') waiting.push(toolKey(draft), i);
    else if (draft?.kind === 'model_call' && draft.status === 'succeeded')
      waiting.push(modelKey(draft), i);
  });
  // The tape drafts each audit draft was merged into, by their position.
  const merged = new Map<number, ActionTraceDraft>();
  const rest: ActionTraceDraft[] = [];
  for (const draft of audit) {
    let partner: number | undefined;
    if (draft?.evidence?.tape === undefined) {
      if (draft?.kind === 'tool_call') partner = waiting.shift(toolKey(draft));
      else if (draft?.kind === 'sampling' && draft.sampling?.status === 'used')
        partner = waiting.shift(modelKey(draft));
    }
    if (partner === undefined) {
      rest.push(draft);
      continue;
    }
    const original = tape[partner]!;
    merged.set(
      partner,
      draft.kind === 'tool_call' ? mergeTool(original, draft) : mergeSampling(original, draft),
    );
  }
  return [...tape.map((draft, i) => merged.get(i) ?? draft), ...rest];
}
