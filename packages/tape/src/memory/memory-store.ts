/**
 * A tape store in memory: the store interface with nothing underneath, for tests, for tools that
 * hold a run only while they work on it, and as the reference a new backend is compared with. It
 * keeps what a persistent store keeps — canonical records, chain heads, blobs by digest shared
 * across tapes — and reads tapes back through the same kit, so it behaves as they do: a loaded
 * tape is a copy, proven by hash; what a caller changes afterwards reaches neither.
 */
import type { TapeMetadata } from '@trace/spec';
import { toHex } from '@trace/spec';
import { FINGERPRINT_SEED } from '../fingerprint.js';
import { type EncodedTapeEvent, encodedEventsOf } from '../store/chain.js';
import type {
  DeleteResult,
  RecordTapeOptions,
  SaveResult,
  TapeStore,
  TapeSummary,
} from '../store/interface.js';
import { TapeReader } from '../store/reader.js';
import { StoreRefusals, stagingId } from '../store/refusals.js';
import type { StoredEventRecord } from '../store/stored.js';
import { SyncTapeRecorder } from '../store/sync-recorder.js';
import { verifyStoredTapes } from '../store/verify.js';
import type { TapeVerifyReport } from '../store/verify-report.js';
import { type EventCounts, Tape, validRunId } from '../tape.js';

export interface MemoryStoreOptions {
  /** How the store is named in messages. Default `memory:<n>`. */
  readonly name?: string;
}

interface MemoryTape {
  /** Its run id; a staging id while it is re-recording another tape (see `replace`). */
  id: string;
  readonly createdAt: string;
  /** As JSON text, so that a loaded tape's metadata is a copy. */
  readonly metadata: string;
  complete: boolean;
  head: Buffer;
  counts: EventCounts;
  readonly events: StoredEventRecord[];
  /** The blobs (by digest key) this tape refers to: its share of each blob's reference count. */
  readonly blobs: Set<string>;
}

interface MemoryBlob {
  readonly digest: Buffer;
  readonly bytes: Uint8Array;
  /** How many tapes refer to it; at 0 it goes. */
  tapes: number;
}

let stores = 0;

/** Opens a new, empty store in memory. */
export function openMemoryStore(options: MemoryStoreOptions = {}): MemoryTapeStore {
  return new MemoryTapeStore(options.name ?? `memory:${++stores}`);
}

/** A `TapeStore` in memory; every method is synchronous. */
export class MemoryTapeStore implements TapeStore {
  readonly location: string;
  readonly #refusals: StoreRefusals;
  readonly #tapes = new Map<string, MemoryTape>();
  readonly #blobs = new Map<string, MemoryBlob>();
  #closed = false;

  /** @internal Use `openMemoryStore`. */
  constructor(location: string) {
    this.location = location;
    this.#refusals = new StoreRefusals(location);
  }

  record(options: RecordTapeOptions = {}): SyncTapeRecorder {
    this.#open();
    const tape = Tape.create(options);
    const replacing = this.#tapes.has(tape.id);
    if (replacing && options.replace !== true) throw this.#refusals.idTaken(tape.id);
    const row = this.#newRow(replacing ? stagingId(tape.id) : tape.id, tape.metadata, false);
    return new MemoryTapeRecorder(tape.id, row, this, this.#refusals);
  }

  save(tape: Tape): SaveResult {
    this.#open();
    const fingerprint = tape.fingerprint;
    const existing = this.#tapes.get(tape.id);
    if (existing !== undefined) {
      const stored = toHex(existing.head);
      if (stored === fingerprint && existing.complete)
        return { id: tape.id, fingerprint, created: false };
      throw this.#refusals.differentContent(tape.id, stored, fingerprint);
    }
    // Encoded in full before anything is stored, so a failure stores nothing.
    const events = [...encodedEventsOf(tape)];
    const row = this.#newRow(tape.id, tape.metadata, tape.complete);
    for (const event of events) this.write(row, event);
    return { id: tape.id, fingerprint, created: true };
  }

  load(id?: string): Tape {
    this.#open();
    const row = this.#row(id);
    const reader = new TapeReader(
      {
        id: row.id,
        metadata: JSON.parse(row.metadata) as TapeMetadata,
        complete: row.complete,
        eventCount: row.events.length,
        head: row.head,
      },
      this.#refusals,
    );
    reader.addBlobs([...row.blobs].map((key) => (this.#blobs.get(key) as MemoryBlob).bytes));
    return reader.read(row.events);
  }

  has(id: string): boolean {
    this.#open();
    return this.#tapes.has(validRunId(id));
  }

  list(): TapeSummary[] {
    this.#open();
    return this.#sorted().map((row) => ({
      id: row.id,
      createdAt: row.createdAt,
      complete: row.complete,
      eventCount: row.events.length,
      counts: { ...row.counts },
      fingerprint: toHex(row.head),
    }));
  }

  delete(id: string): DeleteResult {
    this.#open();
    const row = this.#tapes.get(validRunId(id));
    if (row === undefined) return { id, deleted: false, blobsRemoved: 0 };
    return { id, deleted: true, blobsRemoved: this.#remove(row) };
  }

  /** @internal A finished re-recording takes its id: the old tape goes, in one step. */
  takeId(row: MemoryTape, id: string): void {
    const old = this.#tapes.get(id);
    if (old !== undefined) this.#remove(old);
    this.#tapes.delete(row.id);
    row.id = id;
    this.#tapes.set(id, row);
  }

  /** Removes a tape and the blobs only it used; returns how many blobs went. */
  #remove(row: MemoryTape): number {
    this.#tapes.delete(row.id);
    let blobsRemoved = 0;
    for (const key of row.blobs) {
      const blob = this.#blobs.get(key) as MemoryBlob;
      if (--blob.tapes === 0) {
        this.#blobs.delete(key);
        blobsRemoved++;
      }
    }
    return blobsRemoved;
  }

  verify(id?: string): TapeVerifyReport {
    this.#open();
    const rows = id === undefined ? this.#sorted() : [this.#tapes.get(validRunId(id))];
    const blobs = this.#blobs;
    return verifyStoredTapes({
      location: this.location,
      blobs: blobs.values(),
      tapes: rows
        .filter((row) => row !== undefined)
        .map((row) => ({
          state: {
            id: row.id,
            complete: row.complete,
            eventCount: row.events.length,
            head: row.head,
          },
          records: row.events,
          references: () => [...row.blobs].map((key) => (blobs.get(key) as MemoryBlob).digest),
        })),
    });
  }

  close(): void {
    this.#closed = true;
  }

  /** @internal */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal The row still recorded under its id, if it is `row` (a deleted one is not). */
  current(row: MemoryTape): boolean {
    return this.#tapes.get(row.id) === row;
  }

  /** @internal Stores one encoded event of `row`. */
  write(row: MemoryTape, event: EncodedTapeEvent): void {
    for (const ref of event.newBlobs) {
      const key = ref.digest.toString('latin1');
      // The same bytes as a body and as a stream chunk come twice: one blob, counted once.
      if (row.blobs.has(key)) continue;
      const blob = this.#blobs.get(key);
      if (blob === undefined) {
        // A copy: the caller's buffers may change after append returns.
        this.#blobs.set(key, { digest: ref.digest, bytes: ref.bytes.slice(), tapes: 1 });
      } else {
        blob.tapes++;
      }
      row.blobs.add(key);
    }
    row.events.push({ seq: event.seq, record: event.record.slice(), chain: event.head });
    row.head = event.head;
    row.counts = event.counts;
  }

  #newRow(id: string, metadata: TapeMetadata, complete: boolean): MemoryTape {
    const row: MemoryTape = {
      id,
      createdAt: metadata.createdAt,
      metadata: JSON.stringify(metadata),
      complete,
      head: FINGERPRINT_SEED,
      counts: { draw: 0, exchange: 0, annotation: 0 },
      events: [],
      blobs: new Set(),
    };
    this.#tapes.set(id, row);
    return row;
  }

  #row(id: string | undefined): MemoryTape {
    if (id === undefined) {
      const ids = [...this.#tapes.keys()];
      if (ids.length !== 1) throw this.#refusals.notOnlyOne(this.#sorted().map((row) => row.id));
      return this.#tapes.get(ids[0] as string) as MemoryTape;
    }
    const row = this.#tapes.get(validRunId(id));
    if (row === undefined) throw this.#refusals.notFound(id);
    return row;
  }

  /** Oldest first, then by id: the order the SQLite store lists in (`ORDER BY created_at, id`). */
  #sorted(): MemoryTape[] {
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...this.#tapes.values()].sort(
      (a, b) => order(a.createdAt, b.createdAt) || order(a.id, b.id),
    );
  }

  #open(): void {
    if (this.#closed) throw this.#refusals.closed();
  }
}

/** Appends to a tape of a `MemoryTapeStore`. */
class MemoryTapeRecorder extends SyncTapeRecorder {
  readonly #row: MemoryTape;
  readonly #store: MemoryTapeStore;
  readonly #refusals: StoreRefusals;

  /** `row` is staged under another id when it re-records tape `id`. */
  constructor(id: string, row: MemoryTape, store: MemoryTapeStore, refusals: StoreRefusals) {
    super(id, refusals);
    this.#row = row;
    this.#store = store;
    this.#refusals = refusals;
  }

  protected storeClosed(): boolean {
    return this.#store.closed;
  }

  protected write(event: EncodedTapeEvent): void {
    if (!this.#store.current(this.#row)) throw this.#refusals.deletedWhileRecording(this.id);
    this.#store.write(this.#row, event);
  }

  protected writeFinish(): void {
    if (!this.#store.current(this.#row)) throw this.#refusals.deletedWhileRecording(this.id);
    this.#row.complete = true;
    if (this.#row.id !== this.id) this.#store.takeId(this.#row, this.id);
  }
}
