import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { TapeEvent, TapeEventType, TapeMetadata } from '@trace/spec';
import { toHex } from '@trace/spec';
import { type EncodedEvent, encodeEvent, normaliseEvent } from './encoding.js';
import { TapeError } from './errors.js';
import { FINGERPRINT_SEED, nextHead } from './fingerprint.js';
import { jsonText, parseJson } from './json-text.js';

const { version: PACKAGE_VERSION } = createRequire(import.meta.url)('../package.json') as {
  version: string;
};

/** An event's canonical record and blobs, with the chain head after it. */
export interface StoredEvent extends EncodedEvent {
  readonly head: Buffer;
}

/** Event counts by type. */
export type EventCounts = Readonly<Record<TapeEventType, number>>;

export interface AppendOptions {
  /**
   * Copy every body and chunk (the default), so that later changes to the caller's buffers
   * cannot reach the tape. Pass false to hand the buffers over instead, saving a copy of each:
   * the caller must then never change them.
   */
  readonly copyBytes?: boolean;
}

export interface CreateTapeOptions {
  /** The run id; a random UUID when omitted. */
  readonly id?: string;
  /** Metadata; `createdAt` defaults to now and `recorder` to this package. */
  readonly metadata?: Partial<TapeMetadata>;
}

/**
 * One run's tape, in memory: an ordered, append-only list of events, its metadata, and its
 * fingerprint.
 *
 * Appending validates and copies an event at once but leaves its canonical record and the
 * hashing of its bodies until they are needed (the fingerprint is read, or the tape is saved):
 * a recording transport appends on the caller's request path, where hashing every body would
 * add to each model call's latency; reading the fingerprint does that work once, for every
 * event appended since it was last read.
 */
export class Tape {
  readonly id: string;
  readonly metadata: TapeMetadata;
  /** False for a tape read back from a recording that was interrupted before `finish()`. */
  readonly complete: boolean;
  readonly #events: TapeEvent[] = [];
  /** The encoded prefix of `#events`: the rest are encoded by `#encodePending`. */
  readonly #stored: StoredEvent[] = [];
  readonly #counts: Record<TapeEventType, number> = { draw: 0, exchange: 0, annotation: 0 };
  #head: Buffer = FINGERPRINT_SEED;

  private constructor(id: string, metadata: TapeMetadata, complete: boolean) {
    this.id = id;
    this.metadata = metadata;
    this.complete = complete;
  }

  /** A new, empty tape. */
  static create(options: CreateTapeOptions = {}): Tape {
    return new Tape(validRunId(options.id ?? randomUUID()), buildMetadata(options.metadata), true);
  }

  /** @internal Rebuilds a tape read from a store; records are re-encoded and re-chained. */
  static restore(
    id: string,
    metadata: TapeMetadata,
    complete: boolean,
    events: Iterable<TapeEvent>,
  ): Tape {
    const tape = new Tape(id, metadata, complete);
    // The bytes were decoded for this tape alone: nobody else holds them to change.
    for (const event of events) tape.append(event, { copyBytes: false });
    return tape;
  }

  /**
   * Appends an event and returns its sequence number (0-based). The event is validated, and
   * refused with TAPE_INVALID_EVENT before anything is appended; it is copied unless
   * `copyBytes: false`: the tape holds exactly what will read back after a save and reopen.
   */
  append(event: TapeEvent, options: AppendOptions = {}): number {
    const normalised = normaliseEvent(event, { copyBytes: options.copyBytes ?? true });
    this.#events.push(normalised);
    this.#counts[normalised.type]++;
    return this.#events.length - 1;
  }

  /** The events in order. The array and the events are read-only. */
  get events(): readonly TapeEvent[] {
    return this.#events;
  }

  get counts(): EventCounts {
    return { ...this.#counts };
  }

  /**
   * The tape's identity: hex SHA-256 chain head over every event's canonical record. Reading it
   * hashes whatever was appended since the last read.
   */
  get fingerprint(): string {
    this.#encodePending();
    return toHex(this.#head);
  }

  /** @internal The canonical records, their blobs and chain heads, for a store to persist. */
  storedEvents(): readonly StoredEvent[] {
    this.#encodePending();
    return this.#stored;
  }

  /** Encodes and chains the events appended since the last call. They are valid: `append` checked. */
  #encodePending(): void {
    for (let seq = this.#stored.length; seq < this.#events.length; seq++) {
      const event = this.#events[seq]!;
      const { record, blobs } = encodeEvent(event, { copyBytes: false });
      this.#head = nextHead(this.#head, record);
      this.#stored.push({ record, blobs, event, head: this.#head });
    }
  }
}

/** Fills metadata defaults and checks it is JSON: metadata is stored as JSON text. */
export function buildMetadata(partial: Partial<TapeMetadata> = {}): TapeMetadata {
  const metadata: TapeMetadata = {
    ...partial,
    createdAt: partial.createdAt ?? new Date().toISOString(),
    recorder: partial.recorder ?? { name: '@trace/tape', version: PACKAGE_VERSION },
  };
  if (Number.isNaN(Date.parse(metadata.createdAt))) {
    throw new TapeError(
      'TAPE_INVALID_ARGUMENT',
      `metadata.createdAt is ${JSON.stringify(metadata.createdAt)}; pass an ISO 8601 time.`,
    );
  }
  try {
    return parseJson(jsonText(metadata, { path: 'metadata' })) as unknown as TapeMetadata;
  } catch (error) {
    if (TapeError.isInstance(error)) {
      throw new TapeError('TAPE_INVALID_ARGUMENT', error.message, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  }
}

/** Run ids are printable, so that they list and quote cleanly. */
export function validRunId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || !/^[\x21-\x7e]+$/.test(id)) {
    throw new TapeError(
      'TAPE_INVALID_ARGUMENT',
      `Run id ${JSON.stringify(id)} is not valid: use 1 to 200 printable ASCII characters without spaces.`,
      { details: { id } },
    );
  }
  return id;
}
