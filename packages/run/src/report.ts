import type { UnusedExchange } from '@trace/transport';
import type { RunMode } from './mode.js';

/** What a run did, and whether it did what its tape says. */
export interface RunReport {
  readonly id: string;
  /** The mode in force, once `TRACE_MODE`, `CI` and `auto` were settled. */
  readonly mode: Exclude<RunMode, 'auto'>;
  readonly exchanges: {
    /** Exchanges on the tape: replayed from, or recorded into. */
    readonly recorded: number;
    /** Requests served from the tape, each proven identical by its SHA-256. */
    readonly matched: number;
    /** Recorded exchanges never requested: position in issue order, tape seq, method and URL. */
    readonly unconsumed: readonly UnusedExchange[];
  };
  readonly draws: {
    /** Draws on the tape: replayed from, or recorded into. */
    readonly recorded: number;
    /** Draws served from the tape. */
    readonly consumed: number;
    /** Recorded draws never asked for. */
    readonly unconsumed: number;
  };
  /** Annotations recorded (or, in replay, made). */
  readonly annotations: number;
  /** The tape's fingerprint: of the tape replayed, or of what was recorded; undefined in passthrough. */
  readonly fingerprint: string | undefined;
  /** The tape is finished: true for a replayed tape, and for a recording once closed. */
  readonly complete: boolean;
  /** The first place the run left its tape, if it did. */
  readonly divergence: RunDivergence | undefined;
}

export interface RunDivergence {
  /** Where: a request no recorded exchange matches, or a draw the log does not hold there. */
  readonly kind: 'exchange' | 'draw';
  /** `TRANSPORT_DIVERGED` or `NONDET_DIVERGED`. */
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}
