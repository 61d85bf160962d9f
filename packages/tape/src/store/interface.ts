/**
 * The store seam: what every tape store offers, whatever keeps the bytes — the embedded SQLite
 * file of `@trace/store-sqlite`, memory (`openMemoryStore`), and later `node:sqlite`, PostgreSQL
 * or object storage shared by a team.
 *
 * Each method returns `Awaitable<T>`: a store whose backend is synchronous (SQLite through
 * better-sqlite3, memory) returns values, so code holding its concrete class keeps calling it
 * synchronously; a store that is asynchronous by nature returns promises. Code written against
 * the interface — a transport, a CLI, a proxy — always awaits, and so works with both.
 */
import type { TapeEvent } from '@trace/spec';
import type { CreateTapeOptions, EventCounts, Tape } from '../tape.js';
import type { TapeVerifyReport } from './verify-report.js';

/** A value, or a promise of it: what a store method returns. */
export type Awaitable<T> = T | Promise<T>;

/** One tape as a store lists it. */
export interface TapeSummary {
  readonly id: string;
  readonly createdAt: string;
  /** False while a recording is in progress, or when it was interrupted before `finish()`. */
  readonly complete: boolean;
  readonly eventCount: number;
  readonly counts: EventCounts;
  readonly fingerprint: string;
}

export interface SaveResult {
  readonly id: string;
  readonly fingerprint: string;
  /** False when the store already held this exact tape under this id, and nothing was written. */
  readonly created: boolean;
}

export interface DeleteResult {
  readonly id: string;
  /** False when the store held no tape under this id (and nothing changed). */
  readonly deleted: boolean;
  /** Blobs no other tape referred to, removed with the tape. */
  readonly blobsRemoved: number;
}

/** How a store saves a whole tape. */
export interface SaveTapeOptions {
  /**
   * The id of a tape this one continues — a fork's parent: the events the two tapes begin with
   * alike may be kept once, the saved tape referring to the base's (the SQLite store does so; the
   * memory store ignores the hint). Nothing about the saved tape depends on it: it loads,
   * verifies and fingerprints the same, and deleting the base keeps it whole. A base the store
   * does not hold, or one that begins differently, only saves nothing.
   */
  readonly base?: string;
}

/** How a store records a tape. */
export interface RecordTapeOptions extends CreateTapeOptions {
  /**
   * Re-record: when the store already holds a tape under `id`, record the new one beside it and
   * let it take the id only when `finish()` succeeds, in one atomic step (the old tape, and every
   * blob only it used, go then). Until then the old tape stays as it was, loadable; a recording
   * that dies first leaves it untouched, and the partial one under a staging id
   * (`<id>~next-<hex>`, listed as incomplete) for `delete` to remove. Without `replace`, an id the
   * store holds is refused with TAPE_ID_CONFLICT.
   */
  readonly replace?: boolean;
}

/** Appends one run's events to a store as they happen. */
export interface TapeRecorder {
  /** The run id the tape is recorded under (the id it takes at `finish()`, when replacing). */
  readonly id: string;
  /**
   * Appends one event and returns its sequence number (0-based). An invalid event is refused
   * with TAPE_INVALID_EVENT and nothing is appended. Once it resolves, the event is stored as
   * durably as the store promises.
   */
  append(event: TapeEvent): Awaitable<number>;
  /** Marks the tape complete; appending afterwards is refused with TAPE_CLOSED. */
  finish(): Awaitable<void>;
  /** The fingerprint of the events appended so far. */
  readonly fingerprint: string;
  readonly eventCount: number;
  readonly counts: EventCounts;
  readonly finished: boolean;
}

/**
 * A place that holds tapes by run id. Blobs are content-addressed: identical bodies across
 * exchanges and runs are kept once. Every failure is a `TapeError` with a stable code.
 */
export interface TapeStore {
  /** Where the store is, for messages: a file path, a URL, `memory:…`. */
  readonly location: string;
  /** Every tape in the store, oldest first (by `createdAt`, then id). */
  list(): Awaitable<readonly TapeSummary[]>;
  /** True when the store holds a tape under `id`. */
  has(id: string): Awaitable<boolean>;
  /**
   * Reads a tape back, its fingerprint proven from the stored bytes (TAPE_DAMAGED when they do
   * not hold). With no id, the store must hold exactly one tape.
   */
  load(id?: string): Awaitable<Tape>;
  /**
   * Starts recording a new tape under a new run id (TAPE_ID_CONFLICT when it is taken, unless
   * `replace`, which re-records it atomically).
   */
  record(options?: RecordTapeOptions): Awaitable<TapeRecorder>;
  /**
   * Saves a whole tape. The same tape again is a no-op (`created: false`); different content
   * under a run id the store holds is refused with TAPE_ID_CONFLICT.
   */
  save(tape: Tape, options?: SaveTapeOptions): Awaitable<SaveResult>;
  /**
   * Removes a tape, and every blob no other tape refers to, in one atomic step. A recorder still
   * appending to it is refused from then on.
   */
  delete(id: string): Awaitable<DeleteResult>;
  /**
   * Re-hashes every blob and re-walks every tape's chain (or only tape `id`'s), and reports
   * what does not match and where. Reports damage; never throws for it.
   */
  verify(id?: string): Awaitable<TapeVerifyReport>;
  /** Closes the store; every later call is refused with TAPE_CLOSED. Closing twice is harmless. */
  close(): Awaitable<void>;
}
