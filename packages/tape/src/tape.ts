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

export interface TapeAppendOptions {
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
 *
 * A tape read from a store arrives with its fingerprint already proven by the store (every
 * stored record re-chained, every blob re-hashed), so reading it costs nothing; its records are
 * encoded again only if it is saved into another store.
 */
export class Tape {
  readonly id: string;
  readonly metadata: TapeMetadata;
  /** False for a tape read back from a recording that was interrupted before `finish()`. */
  readonly complete: boolean;
  readonly #events: TapeEvent[];
  /** The encoded prefix of `#events`, kept for a store to persist; see `storedEvents`. */
  readonly #stored: StoredEvent[] = [];
  readonly #counts: Record<TapeEventType, number>;
  /** The chain head over the first `#chained` events. */
  #head: Buffer = FINGERPRINT_SEED;
  #chained = 0;
  /** The digests of the bodies a store proved when it read this tape back. */
  #bodyDigests: WeakMap<Uint8Array, string> | undefined;

  private constructor(
    id: string,
    metadata: TapeMetadata,
    complete: boolean,
    events: TapeEvent[] = [],
    counts: EventCounts = { draw: 0, exchange: 0, annotation: 0 },
  ) {
    this.id = id;
    this.metadata = metadata;
    this.complete = complete;
    this.#events = events;
    this.#counts = { ...counts };
  }

  /** A new, empty tape. */
  static create(options: CreateTapeOptions = {}): Tape {
    return new Tape(validRunId(options.id ?? randomUUID()), buildMetadata(options.metadata), true);
  }

  /**
   * @internal A tape read from a store: `events` were decoded from records whose chain the store
   * checked ends at `head`, and are frozen; they are taken as they are.
   */
  static fromStore(
    id: string,
    metadata: TapeMetadata,
    complete: boolean,
    events: TapeEvent[],
    head: Buffer,
    bodyDigests: WeakMap<Uint8Array, string>,
  ): Tape {
    const counts = { draw: 0, exchange: 0, annotation: 0 };
    for (const event of events) counts[event.type]++;
    const tape = new Tape(id, metadata, complete, events, counts);
    tape.#head = head;
    tape.#chained = events.length;
    tape.#bodyDigests = bodyDigests;
    return tape;
  }

  /**
   * Appends an event and returns its sequence number (0-based). The event is validated, and
   * refused with TAPE_INVALID_EVENT before anything is appended; it is copied unless
   * `copyBytes: false`: the tape holds exactly what will read back after a save and reopen.
   */
  append(event: TapeEvent, options: TapeAppendOptions = {}): number {
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
    this.#chainPending();
    return toHex(this.#head);
  }

  /**
   * The SHA-256 (lowercase hex) of a request or whole response body of this tape — the very
   * `Uint8Array` its events hold — when the tape already knows it: a tape read from a store
   * knows every one, proven as it was read. Otherwise undefined: hash the bytes yourself.
   * (Replay matches requests by it, so indexing a loaded tape hashes no body again.)
   */
  bodyDigest(bytes: Uint8Array): string | undefined {
    return this.#bodyDigests?.get(bytes);
  }

  /** @internal The canonical records, their blobs and chain heads, for a store to persist. */
  storedEvents(): readonly StoredEvent[] {
    this.#chainPending();
    // A tape read from a store was never encoded here: encode it now, once.
    let head = this.#stored.at(-1)?.head ?? FINGERPRINT_SEED;
    for (let seq = this.#stored.length; seq < this.#events.length; seq++) {
      const encoded = encodeEvent(this.#events[seq]!, { copyBytes: false });
      head = nextHead(head, encoded.record);
      this.#stored.push({ ...encoded, head });
    }
    return this.#stored;
  }

  /**
   * Encodes and chains the events appended since the last call. They are valid: `append`
   * checked. Their records are kept for `storedEvents` while they extend the encoded prefix.
   */
  #chainPending(): void {
    for (let seq = this.#chained; seq < this.#events.length; seq++) {
      const event = this.#events[seq]!;
      const { record, blobs } = encodeEvent(event, { copyBytes: false });
      this.#head = nextHead(this.#head, record);
      if (this.#stored.length === seq)
        this.#stored.push({ record, blobs, event, head: this.#head });
    }
    this.#chained = this.#events.length;
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
