/**
 * The shape of what a report page holds: one run shaped for reading (its events as timeline rows,
 * bodies in a table, each once), with its branches, blame and audit log when there are any. The
 * generator writes it into the page as JSON; the page reads it back. Plain JSON only, so it also
 * travels over the viewer's live stream.
 */

/** A JSON value, as the page reads it (the same values as `@trace/spec`'s JsonValue). */
export type Json =
  | null
  | boolean
  | number
  | string
  | readonly Json[]
  | { readonly [k: string]: Json };

/** Header name/value pairs in recorded order. */
export type Headers = readonly (readonly [string, string])[];

/**
 * An index into `ReportData.bodies`. Each body is stored once per page: text as `t:<text>`,
 * bytes that are not UTF-8 as `b:<base64>`.
 */
export type BodyRef = number;

export type Provider = 'anthropic' | 'openai' | 'other';

export interface TokenCounts {
  readonly input?: number;
  readonly output?: number;
}

export interface ReportChunk {
  readonly offsetMs: number;
  readonly body: BodyRef;
}

export type ReportResponseBody =
  | { readonly kind: 'bytes'; readonly body: BodyRef }
  | {
      readonly kind: 'stream';
      readonly chunks: readonly ReportChunk[];
      /** How the stream ended: `complete`, `cancelled` or `error` (with the error's message). */
      readonly end: {
        readonly kind: string;
        readonly offsetMs?: number;
        readonly message?: string;
      };
    };

/** Where an event sits on the page's time axis, in ms from the run's start. */
interface Timed {
  /** The event's tape position (0-based); deep links use it (`#seq=12`). */
  readonly seq: number;
  /** Start, in ms from the run's start on the page's time axis (see `ReportData.time`). */
  readonly t: number;
}

export interface ReportExchange extends Timed {
  readonly type: 'exchange';
  /** Its position among the run's exchanges in issue order: `{ exchange: step }` in @trace/fork. */
  readonly step: number;
  readonly provider: Provider;
  readonly model?: string;
  readonly method: string;
  readonly url: string;
  readonly streamed: boolean;
  readonly status?: number;
  readonly statusText?: string;
  /** From the request's issue to the end of its body (or failure), when recorded. */
  readonly durationMs?: number;
  readonly headersMs?: number;
  readonly tokens?: TokenCounts;
  readonly error?: { readonly name: string; readonly message: string; readonly code?: string };
  readonly redirectedTo?: string;
  readonly request: { readonly headers: Headers; readonly body: BodyRef | null };
  readonly response?: { readonly headers: Headers; readonly body: ReportResponseBody | null };
}

export interface ReportDraw extends Timed {
  readonly type: 'draw';
  /** Its position among the run's draws: `{ draw: step }` in @trace/fork. */
  readonly step: number;
  readonly kind: string;
  readonly value: Json;
  readonly stream?: string;
}

export interface ReportAnnotation extends Timed {
  readonly type: 'annotation';
  readonly data: Json;
}

export type ReportEvent = ReportExchange | ReportDraw | ReportAnnotation;

/** One entry of the audit log, placed on the same time axis when the run's clock allows it. */
export interface ReportAuditEntry {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly session?: string;
  readonly payload: Json;
  /** Ms from the run's start, when the run drew wall-clock readings to place it by. */
  readonly t?: number;
}

export interface ReportAudit {
  readonly entries: readonly ReportAuditEntry[];
  /** What `verifyAuditLog` of @trace/audit said, as plain facts. */
  readonly verification: {
    readonly ok: boolean;
    readonly checked: number;
    readonly integrity: { readonly ok: boolean; readonly problem?: string };
    readonly completeness: {
      readonly ok: boolean;
      readonly provenThrough?: number;
      readonly unanchored?: number;
      readonly problem?: string;
    };
    readonly summary: string;
  };
}

/** One difference of a branch from its parent at one step, as `diffBranch` of @trace/fork lists it. */
export interface ReportStepDifference {
  readonly step: { readonly exchange: number } | { readonly draw: number };
  readonly part: string;
  readonly differences: readonly {
    readonly path: string;
    readonly parent: Json;
    readonly branch: Json;
  }[];
}

export interface ReportBranch {
  readonly id: string;
  readonly parent: string;
  readonly fingerprint: string;
  readonly at: { readonly exchange: number } | { readonly draw: number };
  readonly intervention: Json;
  readonly attached: boolean;
  /** The branch against its parent; absent when it could not be computed (`diffProblem` says why). */
  readonly diff?: {
    readonly parted?: { readonly exchange: number } | { readonly draw: number };
    readonly steps: readonly ReportStepDifference[];
  };
  readonly diffProblem?: string;
  readonly branches: readonly ReportBranch[];
}

/** A blame result, as @trace/blame stores it (see its contract); the page reads only these fields. */
export interface ReportBlame {
  readonly version: 1;
  readonly run: string;
  readonly oracle: string;
  readonly parentOutcome: boolean;
  readonly method: string;
  readonly confidence: number;
  readonly nullRate: number;
  readonly q: number;
  readonly steps: readonly ReportBlameStep[];
  readonly responsible: readonly number[];
  readonly ranking: readonly number[];
  readonly spend: { readonly calls: number; readonly tokens: number; readonly usd?: number };
  readonly partial: boolean;
  readonly createdAt: string;
}

export interface ReportBlameStep {
  readonly step: { readonly exchange: number } | { readonly draw: number };
  readonly seq: number;
  readonly kind: 'exchange' | 'draw';
  readonly label: string;
  readonly perturbation: string;
  readonly trials: number;
  readonly valid: number;
  readonly flips: number;
  readonly undefined: number;
  readonly flipRate: number;
  readonly interval: { readonly low: number; readonly high: number };
  readonly pValue: number;
  readonly responsible: boolean;
  readonly trustworthy: boolean;
}

export interface ReportData {
  readonly version: 1;
  readonly run: {
    readonly id: string;
    readonly fingerprint: string;
    readonly complete: boolean;
    readonly createdAt: string;
    readonly counts: {
      readonly exchange: number;
      readonly draw: number;
      readonly annotation: number;
    };
    readonly metadata: Json;
  };
  /**
   * What the time axis measures: `clock` — the run's own wall-clock draws (each event placed at
   * the last reading before it); `durations` — no clock was drawn, so exchanges are laid end to
   * end by their recorded durations.
   */
  readonly time: { readonly basis: 'clock' | 'durations'; readonly startedAt?: number };
  readonly events: readonly ReportEvent[];
  readonly bodies: readonly string[];
  readonly branches?: readonly ReportBranch[];
  /** Why the branches are missing, when they could not be read (a run still recording). */
  readonly branchesProblem?: string;
  readonly blame?: ReportBlame;
  readonly audit?: ReportAudit;
  /** Set by the viewer for a run still being recorded: where new events stream from. */
  readonly live?: { readonly url: string };
  readonly generatedAt: string;
}

/** What the viewer's live stream sends: new events, with their bodies in a table of their own. */
export interface LiveBatch {
  readonly events: readonly ReportEvent[];
  readonly bodies: readonly string[];
}
