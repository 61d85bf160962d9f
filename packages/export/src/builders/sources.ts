/**
 * The shapes this package reads from `@trace/tape` and `@trace/audit`, declared structurally so
 * `@trace/export` installs alone. They mirror those packages' documented data; a value from
 * either package (or any producer of the same shape) fits.
 */

export type HeaderListLike = readonly (readonly [string, string])[];

export interface RecordedErrorLike {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type RecordedBodyLike =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'stream';
      readonly chunks: readonly { readonly offsetMs: number; readonly bytes: Uint8Array }[];
      readonly end:
        | { readonly kind: 'complete' }
        | { readonly kind: 'cancelled'; readonly offsetMs: number }
        | { readonly kind: 'error'; readonly offsetMs: number; readonly error: RecordedErrorLike };
    };

export interface ExchangeEventLike {
  readonly type: 'exchange';
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: HeaderListLike;
    readonly body: Uint8Array | null;
  };
  readonly response?: {
    readonly status: number;
    readonly statusText: string;
    readonly headers: HeaderListLike;
    readonly body: RecordedBodyLike | null;
  };
  readonly error?: RecordedErrorLike;
}

export interface AnnotationEventLike {
  readonly type: 'annotation';
  readonly data: unknown;
}

export interface DrawEventLike {
  readonly type: 'draw';
  readonly kind: string;
  readonly value: unknown;
  readonly stream?: string;
}

export type TapeEventLike = ExchangeEventLike | AnnotationEventLike | DrawEventLike;

/** A tape as `@trace/tape` reads it back: its fingerprint, its events in order, its metadata. */
export interface TapeLike {
  /** The tape's hex fingerprint. */
  readonly fingerprint: string;
  readonly events: Iterable<TapeEventLike>;
  readonly metadata?: { readonly createdAt?: string };
}

/** One line of an `@trace/audit` log (format version 1). */
export interface AuditEntryLike {
  readonly v: number;
  readonly seq: number;
  /** ISO 8601 time the entry was written. */
  readonly ts: string;
  readonly type: string;
  readonly session?: string;
  readonly payload: unknown;
  readonly prev?: string | null;
  readonly hash?: string;
}

/** `tool_call` entry payload. */
export interface AuditToolCallPayload {
  readonly tool: string;
  readonly status: 'ok' | 'failed' | 'skipped_not_allowed';
  readonly durationMs: number;
  readonly fromScript: boolean;
  readonly error?: string;
  readonly iteration?: number;
}

/** `phase` entry payload. */
export interface AuditPhasePayload {
  readonly iteration: number;
  readonly phase: 'propose' | 'execute' | 'observe' | 'evaluate' | 'decide';
  readonly status: 'succeeded' | 'failed';
  readonly startedAt: string;
  readonly endedAt: string;
  readonly error?: string;
}
