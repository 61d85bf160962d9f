import type { AuditEntry } from '@trace/spec';
import { LOOP_EVENT_TYPES } from '@trace/spec';
import { AuditError } from './errors.js';
import type { AuditListener } from './write/listeners.js';

/** Options for {@link createCollector}. */
export interface CollectorOptions {
  /** How many entries to keep; the oldest are evicted first. Default 5,000. */
  readonly capacity?: number;
}

/** A bounded, in-process buffer of recent agent-loop entries, for replay and inspection. */
export interface AuditCollector {
  /** Pass to `log.subscribe`, or call directly with entries. */
  readonly listener: AuditListener;
  /** Subscribes to a log; returns the unsubscribe function. */
  attach(log: { subscribe(listener: AuditListener): () => void }): () => void;
  /** The kept entries, oldest first. */
  entries(): AuditEntry[];
  /** The kept entries of one session, oldest first. */
  forSession(session: string): AuditEntry[];
  /** How many entries are kept now. */
  readonly size: number;
  /** How many entries were evicted to stay within capacity, since creation or `clear()`. */
  readonly evicted: number;
  /** The capacity. */
  readonly capacity: number;
  /** Drops every entry and resets `evicted`. */
  clear(): void;
}

const LOOP_TYPES = new Set<string>(LOOP_EVENT_TYPES);

/**
 * Creates a ring buffer that keeps the newest `capacity` agent-loop entries (phase, verdict,
 * sampling, tool_call, decision), ignores every other type, and counts what it evicted.
 */
export function createCollector(options: CollectorOptions = {}): AuditCollector {
  const capacity = options.capacity ?? 5000;
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `capacity must be a positive integer; got ${String(capacity)}.`,
    );
  }
  let ring: (AuditEntry | undefined)[] = new Array(capacity);
  let start = 0;
  let size = 0;
  let evicted = 0;
  const listener: AuditListener = (entry) => {
    if (!LOOP_TYPES.has(entry.type)) return;
    if (size < capacity) {
      ring[(start + size) % capacity] = entry;
      size++;
    } else {
      ring[start] = entry;
      start = (start + 1) % capacity;
      evicted++;
    }
  };
  const entries = (): AuditEntry[] => {
    const out: AuditEntry[] = [];
    for (let i = 0; i < size; i++) out.push(ring[(start + i) % capacity]!);
    return out;
  };
  return {
    listener,
    attach: (log) => log.subscribe(listener),
    entries,
    forSession: (session) => entries().filter((entry) => entry.session === session),
    get size() {
      return size;
    },
    get evicted() {
      return evicted;
    },
    capacity,
    clear() {
      ring = new Array(capacity);
      start = 0;
      size = 0;
      evicted = 0;
    },
  };
}
