import { toHex } from '@trace/spec';
import {
  type DeleteResult,
  type RecordTapeOptions,
  type SaveResult,
  type SaveTapeOptions,
  Tape,
  TapeError,
  type TapeStore,
  type TapeSummary,
  type TapeVerifyReport,
} from '@trace/tape';
import {
  type EncodedTapeEvent,
  encodedEventsOf,
  readMetadata,
  StoreRefusals,
  SyncTapeRecorder,
  stagingId,
  TapeReader,
  validRunId,
  verifyStoredTapes,
} from '@trace/tape/backend';
import type Database from 'better-sqlite3';
import {
  detachDependents,
  eventsOf,
  iterateEventsOf,
  referBlobsOf,
  sharedDigestsOf,
  sharedPrefix,
} from './sqlite/bases.js';
import { blobOf } from './sqlite/blob-assembly.js';
import { type BlobBatch, BlobStore } from './sqlite/blob-store.js';
import { asBuffer } from './sqlite/bytes.js';
import { guard, openConnection, type SqliteDurability } from './sqlite/connection.js';
import { foldLog } from './sqlite/fold.js';
import { PackCache } from './sqlite/packs.js';
import { RecordingMemo } from './sqlite/recording-memo.js';
import { prepareStatements, type StoreStatements, type TapeRow } from './sqlite/statements.js';
import { storedBlobs, streamDigestsOf, streamPartsOf } from './sqlite/streams.js';

export interface SqliteStoreOptions {
  /** Open for reading only. Default false. */
  readonly readonly?: boolean;
  /** Create the file when it does not exist. Default true unless `readonly`. */
  readonly create?: boolean;
  /** How hard each append is pushed to disk; see `SqliteDurability`. Default `'full'`. */
  readonly durability?: SqliteDurability;
  /** How long to wait for another connection's lock before failing with TAPE_BUSY. Default 5000. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (or creates) an SQLite file that holds tapes by run id. Blobs are shared: identical
 * bodies across exchanges and runs are stored once.
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteTapeStore {
  const readonly = options.readonly ?? false;
  const db = openConnection(path, {
    readonly,
    create: options.create ?? !readonly,
    durability: options.durability ?? 'full',
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
  });
  return new SqliteTapeStore(path, db, readonly);
}

/**
 * The SQLite store. Every method is synchronous (better-sqlite3 is), so code holding this class
 * may call it without awaiting; code written against `TapeStore` awaits, and works as well.
 */
export class SqliteTapeStore implements TapeStore {
  readonly path: string;
  readonly readonly: boolean;
  readonly #db: Database.Database;
  readonly #statements: StoreStatements;
  readonly #blobs: BlobStore;
  readonly #refusals: StoreRefusals;
  /** The transaction every append runs, made once: a recording runs it for every event. */
  readonly #appendTx: Database.Transaction<
    (id: string, event: EncodedTapeEvent, memo: RecordingMemo) => void
  >;
  #closed = false;

  /** @internal Use `openSqliteStore`. */
  constructor(path: string, db: Database.Database, readonly: boolean) {
    this.path = path;
    this.#db = db;
    this.readonly = readonly;
    this.#refusals = new StoreRefusals(path, { path });
    try {
      this.#statements = guard(path, () => prepareStatements(db));
      this.#blobs = guard(path, () => new BlobStore(db));
    } catch (error) {
      db.close();
      throw error;
    }
    this.#appendTx = db.transaction((id: string, event: EncodedTapeEvent, memo: RecordingMemo) =>
      this.#append(id, event, memo),
    );
  }

  /** The file path: where the store is, for messages. */
  get location(): string {
    return this.path;
  }

  /**
   * Starts recording a new tape under a new run id. Each `append` is committed on its own, so
   * a process killed at any instant leaves the events appended so far, whole.
   */
  record(options: RecordTapeOptions = {}): SqliteTapeRecorder {
    this.#writable();
    const tape = Tape.create(options);
    const storedAs = this.#write(() => {
      if (this.#statements.tapeById.get(tape.id) === undefined) {
        this.#insertTape(tape.id, tape, 'recording', 0);
        return tape.id;
      }
      if (options.replace !== true) throw this.#refusals.idTaken(tape.id);
      // Re-recording: staged beside the old tape, which stays whole until `finish()`.
      const staged = stagingId(tape.id);
      this.#insertTape(staged, tape, 'recording', 0);
      return staged;
    });
    const memo = new RecordingMemo(Buffer.from(tape.fingerprint, 'hex'));
    return new SqliteTapeRecorder(tape.id, storedAs, this, this.#refusals, memo);
  }

  /**
   * Saves a whole tape. Saving the same tape again is a no-op; saving different content under
   * a run id the store already holds is refused with TAPE_ID_CONFLICT. On a `base` (a fork's
   * parent), the events the tape begins with alike are not written again: the tape refers to
   * the base's rows for them (see sqlite/bases.ts).
   */
  save(tape: Tape, options: SaveTapeOptions = {}): SaveResult {
    this.#writable();
    const fingerprint = tape.fingerprint;
    const base = options.base === undefined ? undefined : validRunId(options.base);
    return this.#write((): SaveResult => {
      const existing = this.#statements.tapeById.get(tape.id);
      if (existing !== undefined) {
        const stored = toHex(existing.head);
        if (stored === fingerprint && existing.state === 'complete') {
          return { id: tape.id, fingerprint, created: false };
        }
        throw this.#refusals.differentContent(tape.id, stored, fingerprint);
      }
      this.#insertTape(tape.id, tape, tape.complete ? 'complete' : 'recording', tape.events.length);
      // One transaction: a chunk staged here is good for the whole save, and what the tape adds
      // fills packs across its events (the memo's head is not asked: nothing appends).
      const blobs = this.#blobs.batch(new RecordingMemo(Buffer.from(fingerprint, 'hex')));
      if (base === undefined) {
        for (const event of encodedEventsOf(tape)) this.#writeEvent(tape.id, event, blobs);
      } else {
        this.#writeOnBase(tape.id, base, [...encodedEventsOf(tape)], blobs);
      }
      blobs.finish();
      return { id: tape.id, fingerprint, created: true };
    });
  }

  /**
   * Reads a tape back, in one read transaction: its blobs in one query, each hashed once, its
   * records re-chained. With no id, the store must hold exactly one tape. Anything that does
   * not hash to what the chain says is TAPE_DAMAGED.
   */
  load(id?: string): Tape {
    this.#open();
    const s = this.#statements;
    return this.#read(() => {
      const row = s.tapeById.get(id === undefined ? this.#onlyId() : validRunId(id));
      if (row === undefined) throw this.#refusals.notFound(id as string);
      const stored = readMetadata(row.metadata);
      if ('problem' in stored) throw this.#refusals.damaged(row.id, stored.problem);
      const reader = new TapeReader(
        {
          id: row.id,
          metadata: stored.metadata,
          complete: row.state === 'complete',
          eventCount: row.event_count,
          head: row.head,
        },
        this.#refusals,
      );
      const rows = eventsOf(s, row.id);
      // The bodies read into buffers the reader keeps as they are; each stream, read apart, is
      // cut into the chunks its record names.
      const streamIds = new Set<number>();
      for (const event of rows) if (event.stream !== null) streamIds.add(event.stream);
      const streams = new Map<number, Uint8Array>();
      for (const { joined, apart } of this.#blobs.ofTape(row.id, streamIds)) {
        if (!apart) reader.addJoinedBlobs(joined.bytes, joined.sizes);
        else for (const [i, blob] of joined.rows.entries()) streams.set(blob.id, blobOf(joined, i));
      }
      // A blob the reference index lacks — or one a base's events name — is looked up by
      // digest: the index speeds reading, it does not decide what a tape holds. The packs so
      // read are kept for the next such blob (a fork's shared events come from a few packs).
      const cache = new PackCache();
      for (const parts of streamPartsOf(rows, streams, (id) => this.#blobs.byId(id, cache)))
        reader.addBlobs(parts);
      return reader.read(rows, (digest) => this.#blobs.byDigest(digest, cache));
    });
  }

  /** True when the store holds a tape under `id`. */
  has(id: string): boolean {
    this.#open();
    return this.#run(() => this.#statements.tapeById.get(validRunId(id)) !== undefined);
  }

  /** Every tape in the store, oldest first. */
  list(): TapeSummary[] {
    this.#open();
    return this.#run(() => this.#statements.allTapes.all().map(summaryOf));
  }

  /**
   * Removes a tape, its events, and the blobs no other tape refers to, in one transaction. The
   * file does not shrink (SQLite reuses the space); a recorder of the tape is refused from then on.
   */
  delete(id: string): DeleteResult {
    this.#writable();
    const runId = validRunId(id);
    const s = this.#statements;
    return this.#write((): DeleteResult => {
      if (s.tapeById.get(runId) === undefined) return { id, deleted: false, blobsRemoved: 0 };
      return { id, deleted: true, blobsRemoved: this.#deleteTape(runId) };
    });
  }

  /**
   * Recomputes every blob's digest and every tape's chain from the stored bytes, in one read
   * transaction (one snapshot, however many processes append meanwhile), and reports what does
   * not match and where: SQLite's full integrity check (every index against its table, so a
   * damaged digest index that would fail `load` is found here too), each tape's reference index,
   * its stored counts and its metadata included. Never throws for damage it finds; it reports it.
   */
  verify(id?: string): TapeVerifyReport {
    this.#open();
    const s = this.#statements;
    const only = id === undefined ? undefined : validRunId(id);
    return this.#read(() => {
      const cache = new PackCache();
      /** Each stream's blob id, and the digests of the chunks cut from it. */
      const streamChunks = new Map<number, Buffer[]>();
      const structure = (this.#db.pragma('integrity_check') as { integrity_check: string }[])
        .map((row) => row.integrity_check)
        .filter((line) => line !== 'ok');
      const rows = only === undefined ? s.allTapes.all() : [s.tapeById.get(only)];
      return verifyStoredTapes({
        location: this.path,
        structure,
        chunks: this.#blobs.chunks(cache),
        blobs: storedBlobs(s, this.#blobs, cache, streamChunks),
        tapes: rows
          .filter((row) => row !== undefined)
          .map((row) => ({
            state: {
              id: row.id,
              complete: row.state === 'complete',
              eventCount: row.event_count,
              head: row.head,
            },
            summary: {
              counts: {
                draw: row.draw_count,
                exchange: row.exchange_count,
                annotation: row.annotation_count,
              },
              metadata: row.metadata,
            },
            // Statements are run only when the walk reaches this tape: one query at a time.
            records: { [Symbol.iterator]: () => iterateEventsOf(s, row.id) },
            // The blobs of the events it shares with its base are the base's to refer to.
            // A stream kept whole is indexed as one blob: the chunks its record names are in it.
            references: function* () {
              yield* s.referencesOfTape.iterate(row.id);
              // The chunks cut from each stream as its blob was checked (the blobs are walked
              // before the tapes); a stream not met there, from the tape's own records.
              for (const stream of s.indexedStreamsOf.iterate(row.id)) {
                const cut = streamChunks.get(stream);
                if (cut !== undefined) yield* cut;
                else {
                  for (const record of s.recordsOfTapeStream.iterate(row.id, stream))
                    yield* streamDigestsOf(record);
                }
              }
              yield* sharedDigestsOf(s, row.id);
            },
          })),
      });
    });
  }

  /**
   * Closes the file. A recorder left unfinished keeps its tape marked incomplete. Whoever closes
   * the file last — a writer, or a reader after the writers — folds the write-ahead log back into
   * it (see fold.ts), so once every process is done the store is one self-contained file to copy,
   * attach or commit, with no `-wal`/`-shm` beside it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.readonly) {
      try {
        // Tried once, without waiting: leaving WAL needs the file to itself.
        this.#db.pragma('busy_timeout = 0');
        this.#db.pragma('journal_mode = DELETE');
      } catch {
        // Another connection still has the file open: the last to close folds the log.
      }
    }
    this.#db.close();
    foldLog(this.path);
  }

  /** @internal */
  get closed(): boolean {
    return this.#closed;
  }

  /** @internal Appends one event of a recording, all or nothing. */
  appendEvent(id: string, event: EncodedTapeEvent, memo: RecordingMemo): void {
    try {
      guard(this.path, () => this.#appendTx.immediate(id, event, memo));
    } catch (error) {
      memo.discard();
      throw error;
    }
    memo.commit();
  }

  /** One append: the tape's new head, then the event. Run in `#appendTx`. */
  #append(id: string, event: EncodedTapeEvent, memo: RecordingMemo): void {
    // The head first: it moves only if the tape is still there, recording, at this event.
    const { draw, exchange, annotation } = event.counts;
    const moved = this.#statements.updateHead.run(
      event.seq + 1,
      event.head,
      draw,
      exchange,
      annotation,
      id,
      event.seq,
      memo.head,
    );
    if (moved.changes !== 1) throw this.#refusals.deletedWhileRecording(id);
    memo.head = event.head;
    // What the event adds is written as a loose pack, joined with the recording's others once
    // they come to a pack's worth (see sqlite/packs.ts).
    const blobs = this.#blobs.batch(memo, { loose: true });
    this.#writeEvent(id, event, blobs);
    blobs.finish();
    if (!this.#blobs.joinLoose(memo)) throw this.#refusals.deletedWhileRecording(id);
  }

  /**
   * @internal Marks a recording complete; a re-recording staged as `storedAs` takes the id `id`
   * in the same transaction, the old tape and the blobs only it used going with it.
   */
  finishRecording(id: string, storedAs: string, eventCount: number, memo: RecordingMemo): void {
    const s = this.#statements;
    try {
      this.#write(() => {
        if (s.markComplete.run(storedAs, eventCount, memo.head).changes !== 1) {
          throw this.#refusals.deletedWhileRecording(id);
        }
        // The recording's last loose packs, whatever their size, joined and compressed.
        if (!this.#blobs.joinLoose(memo, true)) throw this.#refusals.deletedWhileRecording(id);
        if (storedAs !== id) this.#takeOver(id, storedAs);
      });
    } catch (error) {
      memo.discard();
      throw error;
    }
    memo.commit();
  }

  /** A re-recording staged as `storedAs` takes the id `id`: the old tape goes. */
  #takeOver(id: string, storedAs: string): void {
    const s = this.#statements;
    this.#deleteTape(id);
    const move = { from: storedAs, to: id };
    s.copyTape.run(move);
    s.renameEvents.run(move);
    s.renameReferences.run(move);
    s.deleteTape.run(storedAs);
  }

  /**
   * Writes a new tape's events on `base`: rows only for those after the ones the base begins
   * with alike (all of them when it shares none, or the store holds no such tape).
   */
  #writeOnBase(
    id: string,
    base: string,
    events: readonly EncodedTapeEvent[],
    blobs: BlobBatch,
  ): void {
    const s = this.#statements;
    const baseRow = base === id ? undefined : s.tapeById.get(base);
    const shared = baseRow === undefined ? 0 : sharedPrefix(s, base, baseRow.event_count, events);
    if (shared > 0) s.insertBase.run(id, base, shared);
    for (const event of events.slice(shared)) {
      const stream = this.#writeEvent(id, event, blobs);
      // A blob first named in the shared part is stored already, but only referred to by the
      // base: the tape must refer to every blob its own rows name, to outlive the base.
      if (shared > 0) referBlobsOf(s, id, event.record, stream);
    }
  }

  /**
   * Removes a tape, its events, its references and the blobs only it used; returns their count.
   * The tapes on it as a base first take over what they shared with it.
   */
  #deleteTape(id: string): number {
    const s = this.#statements;
    detachDependents(s, id);
    s.deleteBase.run(id);
    const blobsRemoved = this.#blobs.removeUnshared(id);
    s.deleteReferences.run(id);
    s.deleteEvents.run(id);
    s.deleteTape.run(id);
    return blobsRemoved;
  }

  #insertTape(id: string, tape: Tape, state: TapeRow['state'], eventCount: number): void {
    const counts = tape.counts;
    this.#statements.insertTape.run(
      id,
      tape.metadata.createdAt,
      JSON.stringify(tape.metadata),
      state,
      eventCount,
      Buffer.from(tape.fingerprint, 'hex'),
      counts.draw,
      counts.exchange,
      counts.annotation,
    );
  }

  /**
   * An event's new blobs, the tape's references to them, and its record. A streamed body's
   * chunks are kept together, as one blob, not a blob per chunk; returns that blob's id.
   */
  #writeEvent(id: string, event: EncodedTapeEvent, blobs: BlobBatch): number | null {
    const s = this.#statements;
    for (const blob of event.newBlobs) {
      if (blob.stream === true) continue;
      s.insertReferenceById.run(id, blobs.put(blob.bytes, blob.digest));
    }
    let stream: number | null = null;
    if (event.stream !== undefined) {
      stream = blobs.put(Buffer.concat(event.stream));
      s.insertReferenceById.run(id, stream);
    }
    s.insertEvent.run(id, event.seq, event.type, asBuffer(event.record), event.head, stream);
    return stream;
  }

  #onlyId(): string {
    const ids = this.#statements.allTapes.all().map((row) => row.id);
    if (ids.length === 1) return ids[0] as string;
    throw this.#refusals.notOnlyOne(ids);
  }

  #open(): void {
    if (this.#closed) throw this.#refusals.closed();
  }

  #writable(): void {
    this.#open();
    if (this.readonly) {
      throw new TapeError(
        'TAPE_IO',
        `The store ${this.path} was opened read-only: open it without \`readonly\` to write.`,
        { details: { path: this.path } },
      );
    }
  }

  #run<T>(fn: () => T): T {
    return guard(this.path, fn);
  }

  /** One read transaction: everything `fn` reads comes from one snapshot of the file. */
  #read<T>(fn: () => T): T {
    return guard(this.path, () => this.#db.transaction(fn)());
  }

  /** One write transaction, taking the write lock at once (no read-then-write upgrade to fail). */
  #write<T>(fn: () => T): T {
    return guard(this.path, () => this.#db.transaction(fn).immediate());
  }
}

/** Appends to a tape of an `SqliteTapeStore`: each append is one transaction. */
export class SqliteTapeRecorder extends SyncTapeRecorder {
  readonly #store: SqliteTapeStore;
  readonly #memo: RecordingMemo;
  /** The id the rows are written under: `id`, or a staging id while re-recording it. */
  readonly #storedAs: string;

  /** @internal Use `SqliteTapeStore.record`. */
  constructor(
    id: string,
    storedAs: string,
    store: SqliteTapeStore,
    refusals: StoreRefusals,
    memo: RecordingMemo,
  ) {
    super(id, refusals);
    this.#storedAs = storedAs;
    this.#store = store;
    this.#memo = memo;
  }

  protected storeClosed(): boolean {
    return this.#store.closed;
  }

  protected write(event: EncodedTapeEvent): void {
    this.#store.appendEvent(this.#storedAs, event, this.#memo);
  }

  protected writeFinish(): void {
    this.#store.finishRecording(this.id, this.#storedAs, this.eventCount, this.#memo);
  }
}

function summaryOf(row: TapeRow): TapeSummary {
  return {
    id: row.id,
    createdAt: row.created_at,
    complete: row.state === 'complete',
    eventCount: row.event_count,
    counts: {
      draw: row.draw_count,
      exchange: row.exchange_count,
      annotation: row.annotation_count,
    },
    fingerprint: toHex(row.head),
  };
}
