import type { PhaseName } from '@trace/spec';

/** The minimum an event needs for {@link reconstructIterations}: entries from the log fit. */
export interface LoopEventLike {
  readonly type: string;
  readonly session?: string;
  readonly payload: unknown;
}

/** One phase as rebuilt from its event. */
export interface ReconstructedPhase {
  readonly phase: PhaseName;
  readonly status: 'succeeded' | 'failed';
  readonly startedAt: string;
  readonly endedAt: string;
  readonly error: string | null;
}

/** One iteration of the agent loop as rebuilt from the event stream. */
export interface ReconstructedIteration {
  readonly iteration: number;
  /** Phases in the order they were logged. */
  readonly phases: readonly ReconstructedPhase[];
  /** The decide outcome, or null when none was logged for this iteration. */
  readonly verdict: string | null;
  readonly reason: string | null;
  readonly rationale: string | null;
}

interface Open {
  iteration: number;
  phases: ReconstructedPhase[];
}

/**
 * Rebuilds each iteration of one session from its events, in order. Pure: it reads only its
 * arguments.
 *
 * - A phase event opens its iteration, or adds to the open one with the same index.
 * - A phase of another iteration, arriving before the open one's verdict, closes the open one
 *   with a null verdict.
 * - A verdict closes the open iteration with the same index; with no such iteration open, it
 *   stands alone as a verdict-only iteration whose index is the verdict's.
 * - An iteration still open at the end is closed with a null verdict.
 *
 * Events of other sessions, other types, or malformed loop events are ignored.
 */
export function reconstructIterations(
  sessionId: string,
  entries: Iterable<LoopEventLike>,
): ReconstructedIteration[] {
  const out: ReconstructedIteration[] = [];
  let open: Open | undefined;
  const flush = (verdict: { verdict: string; reason: string; rationale: string | null } | null) => {
    if (!open) return;
    out.push({
      iteration: open.iteration,
      phases: open.phases,
      verdict: verdict?.verdict ?? null,
      reason: verdict?.reason ?? null,
      rationale: verdict?.rationale ?? null,
    });
    open = undefined;
  };
  for (const entry of entries) {
    if (entry.session !== sessionId) continue;
    const p = entry.payload as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || !isIndex(p.iteration)) continue;
    if (entry.type === 'phase') {
      if (typeof p.phase !== 'string' || typeof p.status !== 'string') continue;
      if (open && open.iteration !== p.iteration) flush(null);
      open ??= { iteration: p.iteration, phases: [] };
      open.phases.push({
        phase: p.phase as PhaseName,
        status: p.status as ReconstructedPhase['status'],
        startedAt: String(p.startedAt),
        endedAt: String(p.endedAt),
        error: typeof p.error === 'string' ? p.error : null,
      });
    } else if (entry.type === 'verdict') {
      if (typeof p.verdict !== 'string') continue;
      const verdict = {
        verdict: p.verdict,
        reason: typeof p.reason === 'string' ? p.reason : '',
        rationale: typeof p.rationale === 'string' ? p.rationale : null,
      };
      if (open && open.iteration !== p.iteration) flush(null);
      open ??= { iteration: p.iteration, phases: [] };
      flush(verdict);
    }
  }
  flush(null);
  return out;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
