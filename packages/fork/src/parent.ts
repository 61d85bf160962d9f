/**
 * The parent run, proven, and where the fork point splits it: which of its exchanges (by issue
 * position) and draws (by position) come before the fork point and are served from it.
 */
import type { DrawRecord } from '@trace/nondet';
import type { ExchangeEvent, TapeEvent } from '@trace/spec';
import { type Tape, TapeError, type TapeStore } from '@trace/tape';
import { ForkError } from './errors.js';
import type { ForkPoint } from './options.js';

/** An exchange of a tape with its place on the tape. */
export interface PlacedExchange {
  readonly seq: number;
  readonly event: ExchangeEvent;
}

/** A draw of a tape with its place on the tape. */
export interface PlacedDraw {
  readonly seq: number;
  readonly record: DrawRecord;
}

/** A tape's steps: its exchanges in issue order, its draws in order. */
export interface Steps {
  readonly exchanges: readonly PlacedExchange[];
  readonly draws: readonly PlacedDraw[];
}

export interface ForkPlan {
  readonly parent: Tape;
  readonly steps: Steps;
  readonly at: ForkPoint;
  /** Exchanges at issue positions below this are served from the parent, proven. */
  readonly prefixExchanges: number;
  /** Draws below this position are served from the parent, proven. */
  readonly prefixDraws: number;
}

/** The steps of a tape: exchanges sorted by issue position (tape order among equals), draws in order. */
export function stepsOf(events: readonly TapeEvent[]): Steps {
  const exchanges: { seq: number; issued: number; event: ExchangeEvent }[] = [];
  const draws: PlacedDraw[] = [];
  events.forEach((event, seq) => {
    if (event.type === 'exchange')
      exchanges.push({ seq, issued: event.issueIndex ?? exchanges.length, event });
    else if (event.type === 'draw') {
      const { kind, value, stream } = event;
      draws.push({ seq, record: stream === undefined ? { kind, value } : { kind, value, stream } });
    }
  });
  exchanges.sort((a, b) => a.issued - b.issued || a.seq - b.seq);
  return { exchanges: exchanges.map(({ seq, event }) => ({ seq, event })), draws };
}

/** Loads the parent, its fingerprint proven from the stored bytes, and refuses one that is not fit to fork. */
export async function loadParent(
  store: TapeStore,
  id: string,
  expected: string | undefined,
): Promise<Tape> {
  if (!(await store.has(id))) {
    throw new ForkError(
      'FORK_NO_PARENT',
      `The store ${store.location} holds no tape ${id} to fork: record it first, or check the id.`,
      {
        details: { parent: id, location: store.location },
      },
    );
  }
  let parent: Tape;
  try {
    parent = await store.load(id);
  } catch (cause) {
    if (TapeError.isInstance(cause) && cause.code === 'TAPE_DAMAGED') {
      throw new ForkError(
        'FORK_PARENT_DAMAGED',
        `The parent tape ${id} is damaged, so it is not forked: ${cause.message}`,
        {
          cause,
          details: { parent: id, location: store.location },
        },
      );
    }
    throw cause;
  }
  if (!parent.complete) {
    throw new ForkError(
      'FORK_PARENT_INCOMPLETE',
      `The parent tape ${id} was never finished (a recording of it crashed or is still running), so it is not forked: record it again.`,
      {
        details: { parent: id },
      },
    );
  }
  if (expected !== undefined && parent.fingerprint !== expected) {
    throw new ForkError(
      'FORK_PARENT_DAMAGED',
      `The parent tape ${id} has fingerprint ${parent.fingerprint}, not the expected ${expected}: it was changed or re-recorded since. Fork the tape you meant, or drop parentFingerprint.`,
      {
        details: { parent: id, fingerprint: parent.fingerprint, expected },
      },
    );
  }
  return parent;
}

/** Where `at` splits the parent. */
export function planFork(parent: Tape, at: ForkPoint): ForkPlan {
  const steps = stepsOf(parent.events);
  const { exchanges, draws } = steps;
  const point = pointOf(at);
  const count = point.kind === 'exchange' ? exchanges.length : draws.length;
  if (point.index >= count) {
    throw new ForkError(
      'FORK_INVALID_POINT',
      `The parent ${parent.id} has ${count} ${point.kind}(s) (0 to ${count - 1}); there is no ${point.kind} ${point.index} to fork at.`,
      {
        details: { at, count },
      },
    );
  }
  if (point.kind === 'exchange') {
    const seq = exchanges[point.index]!.seq;
    return {
      parent,
      steps,
      at,
      prefixExchanges: point.index,
      prefixDraws: draws.filter((d) => d.seq < seq).length,
    };
  }
  const seq = draws[point.index]!.seq;
  // The exchanges served before a draw: every one issued before the first that ended after it.
  const firstAfter = exchanges.findIndex((e) => e.seq > seq);
  return {
    parent,
    steps,
    at,
    prefixExchanges: firstAfter === -1 ? exchanges.length : firstAfter,
    prefixDraws: point.index,
  };
}

/** The fork point as a kind and an index, checked. */
export function pointOf(at: ForkPoint): { kind: 'exchange' | 'draw'; index: number } {
  const record = at as Record<string, unknown>;
  const keys = typeof at === 'object' && at !== null ? Object.keys(record) : [];
  const kind =
    keys.length === 1 && (keys[0] === 'exchange' || keys[0] === 'draw') ? keys[0] : undefined;
  const index = kind === undefined ? undefined : record[kind];
  if (
    kind === undefined ||
    typeof index !== 'number' ||
    !Number.isSafeInteger(index) ||
    index < 0
  ) {
    throw new ForkError(
      'FORK_INVALID_POINT',
      `at is ${JSON.stringify(at)}; use { exchange: n } or { draw: n } with n a position from 0.`,
      {
        details: { at: String(JSON.stringify(at)) },
      },
    );
  }
  return { kind, index };
}

/** `exchange 3`, `draw 0`: a step as messages name it. */
export function describePoint(at: ForkPoint): string {
  const { kind, index } = pointOf(at);
  return `${kind} ${index}`;
}
