/**
 * The tape's data model: what one agent run recorded, in order.
 *
 * It holds everything a fetch-level replay needs to be indistinguishable from the original run:
 * statuses, kept headers in their order, bodies as bytes, a streamed body's chunk boundaries with
 * their arrival offsets, and the transport errors that ended a request. `@trace/tape` stores it;
 * the capture packages write it; the export and the tools built on top read it.
 */
import type { JsonValue } from '../json/json-value.js';

/** Header name/value pairs in the order they were kept. Names are stored as given. */
export type HeaderList = readonly (readonly [name: string, value: string])[];

/** One nondeterministic value the run read: a clock reading, an id, a random number, a named source. */
export interface DrawEvent {
  readonly type: 'draw';
  /** What was drawn: one of `DrawKind`'s names (`clock.wall`, `uuid.v4`, `source:<name>`, …). */
  readonly kind: string;
  /** The value, as the drawing library encoded it losslessly into JSON. */
  readonly value: JsonValue;
  /** The named stream the draw belongs to, for concurrent code; absent for the default stream. */
  readonly stream?: string;
}

/** Free JSON the run attaches: a tool call, a label, a checkpoint. */
export interface AnnotationEvent {
  readonly type: 'annotation';
  readonly data: JsonValue;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderList;
  /** The request body's bytes, or null when the request had none. */
  readonly body: Uint8Array | null;
}

/** A transport-level failure: the request or the body stream ended without a complete response. */
export interface RecordedError {
  /** The error's name as the caller saw it: `TypeError` for a network failure, `AbortError`, `TimeoutError`. */
  readonly name: string;
  readonly message: string;
  /** The system or library code beneath it, such as `ECONNRESET`, when there was one. */
  readonly code?: string;
}

/** One piece of a streamed body, exactly as it arrived. */
export interface Chunk {
  /** Milliseconds from when the request was sent to when this chunk arrived. */
  readonly offsetMs: number;
  readonly bytes: Uint8Array;
}

/** How a streamed body ended. */
export type StreamEnd =
  | { readonly kind: 'complete' }
  /** The caller cancelled the stream or stopped reading: the chunks are a prefix. */
  | { readonly kind: 'cancelled'; readonly offsetMs: number }
  /** The stream failed part-way: the chunks are a prefix, and this is the error the caller got. */
  | { readonly kind: 'error'; readonly offsetMs: number; readonly error: RecordedError };

export type RecordedBody =
  /** A body read whole. */
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  /** A body delivered as a stream (server-sent events, chunked transfer), boundaries kept. */
  | { readonly kind: 'stream'; readonly chunks: readonly Chunk[]; readonly end: StreamEnd };

export interface RecordedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderList;
  /** Null when the response had no body at all (a 204, a HEAD request). */
  readonly body: RecordedBody | null;
  /**
   * The final URL after the redirects `fetch` followed; present only when it followed at least
   * one. A replay then reports it as `response.url`, with `response.redirected` true.
   */
  readonly redirectedTo?: string;
}

/**
 * When an exchange's response arrived, in milliseconds from when its request was issued. Each is
 * finite and 0 or more (`-0` is stored as 0); `endMs` is not required to be at least `headersMs`.
 */
export interface ExchangeTiming {
  /** To when the response head arrived; for an exchange that failed, to the failure. */
  readonly headersMs: number;
  /**
   * To when the body ended: read to its end, failed or cancelled. For a response without a body,
   * or a failed exchange, it equals `headersMs`.
   */
  readonly endMs: number;
}

/** What every exchange may carry besides its request and outcome. */
interface ExchangeFacts {
  /**
   * The request's position (0-based) among the tape's exchanges in the order the run issued
   * them. The tape's own order is completion order — concurrent requests are appended as they
   * complete — so the two differ when calls overlap. Absent on tapes written before this field
   * existed: a reader then takes the exchange's position among the tape's exchanges. A
   * non-negative integer below 2^32.
   */
  readonly issueIndex?: number;
  /** When the response head and the body's end arrived; absent when not recorded. */
  readonly timing?: ExchangeTiming;
}

/** One HTTP request and what came back: a response, or the transport error that ended it. */
export type ExchangeEvent =
  | (ExchangeFacts & {
      readonly type: 'exchange';
      readonly request: RecordedRequest;
      readonly response: RecordedResponse;
      readonly error?: undefined;
    })
  | (ExchangeFacts & {
      readonly type: 'exchange';
      readonly request: RecordedRequest;
      readonly response?: undefined;
      readonly error: RecordedError;
    });

export type TapeEvent = DrawEvent | ExchangeEvent | AnnotationEvent;
export type TapeEventType = TapeEvent['type'];

/** What the recorder declares it did and did not capture; informs a reader, not replay. */
export interface DeterminismBoundary {
  /** What the run drew through the recorder, e.g. `['http', 'clock', 'uuid', 'random']`. */
  readonly captured: readonly string[];
  /** What the run is known to read outside the recorder, e.g. `['filesystem']`. */
  readonly uncaptured?: readonly string[];
  readonly note?: string;
}

/**
 * Facts about the run that are kept with the tape but are not part of its fingerprint: two
 * recordings of the same behaviour on different days, machines or versions have equal fingerprints.
 */
export interface TapeMetadata {
  /** ISO 8601 creation time. */
  readonly createdAt: string;
  /** The tool that recorded the tape. */
  readonly recorder?: { readonly name: string; readonly version: string };
  /** Versions of the packages involved, by package name. */
  readonly packages?: Readonly<Record<string, string>>;
  readonly boundary?: DeterminismBoundary;
  /** Anything the user wants to keep with the run. */
  readonly user?: { readonly [key: string]: JsonValue };
}

/**
 * A recorded run as its readers need it: its events in order and its fingerprint. An in-memory
 * `Tape` is one, and so is a tape a store loaded for replay.
 */
export interface TapeContent {
  /** Hex SHA-256 chain head over the events' canonical records (see docs/tape-format.md). */
  readonly fingerprint: string;
  readonly events: readonly TapeEvent[];
  readonly metadata?: Partial<TapeMetadata>;
}
