import type { TapeEvent, TapeMetadata } from '@trace/spec';
import { toHex } from '@trace/spec';
import type Database from 'better-sqlite3';
import { asBuffer, plainBytes } from './bytes.js';
import { decodeRecord, MissingBlob, UndecodableRecord } from './encoding.js';
import { TapeError } from './errors.js';
import { TapeRecorder } from './recorder.js';
import { type Durability, guard, openConnection } from './sqlite/connection.js';
import { prepareStatements, type StoreStatements } from './sqlite/statements.js';
import { type CreateTapeOptions, type EventCounts, Tape, validRunId } from './tape.js';
import { type VerifyReport, verifyStore } from './verify.js';

export interface OpenStoreOptions {
  /** Open for reading only. Default false. */
  readonly readonly?: boolean;
  /** Create the file when it does not exist. Default true unless `readonly`. */
  readonly create?: boolean;
  /** How hard each append is pushed to disk; see `Durability`. Default `'full'`. */
  readonly durability?: Durability;
  /** How long to wait for another connection's lock before failing with TAPE_BUSY. Default 5000. */
  readonly busyTimeoutMs?: number;
}

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

/**
 * Opens (or creates) an SQLite file that holds tapes by run id. Blobs are shared: identical
 * bodies across exchanges and runs are stored once.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): TapeStore {
  const readonly = options.readonly ?? false;
  const db = openConnection(path, {
    readonly,
    create: options.create ?? !readonly,
    durability: options.durability ?? 'full',
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
  });
  return new TapeStore(path, db, readonly);
}

export class TapeStore {
  readonly path: string;
  readonly readonly: boolean;
  readonly #db: Database.Database;
  readonly #statements: StoreStatements;
  #closed = false;

  /** @internal Use `openStore`. */
  constructor(path: string, db: Database.Database, readonly: boolean) {
    this.path = path;
    this.#db = db;
    this.readonly = readonly;
    try {
      this.#statements = guard(path, () => prepareStatements(db));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Starts recording a new tape under a new run id. Each `append` is committed on its own, so
   * a process killed at any instant leaves the events appended so far, whole.
   */
  record(options: CreateTapeOptions = {}): TapeRecorder {
    this.#writable();
    const tape = Tape.create(options);
    this.#run(() => {
      if (this.#statements.tapeById.get(tape.id) !== undefined) {
        throw new TapeError(
          'TAPE_ID_CONFLICT',
          `${this.path} already holds a tape with run id ${tape.id}: record under a new id.`,
          {
            details: { path: this.path, id: tape.id },
          },
        );
      }
      this.#statements.insertTape.run(
        tape.id,
        tape.metadata.createdAt,
        JSON.stringify(tape.metadata),
        'recording',
        0,
        Buffer.from(tape.fingerprint, 'hex'),
        0,
        0,
        0,
      );
    });
    return new TapeRecorder(tape.id, this.path, this.#db, this.#statements, () => this.#closed);
  }

  /**
   * Saves a whole tape. Saving the same tape again is a no-op; saving different content under
   * a run id the store already holds is refused with TAPE_ID_CONFLICT.
   */
  save(tape: Tape): SaveResult {
    this.#writable();
    const fingerprint = tape.fingerprint;
    return this.#run(() =>
      this.#db.transaction((): SaveResult => {
        const existing = this.#statements.tapeById.get(tape.id);
        if (existing !== undefined) {
          if (toHex(existing.head) === fingerprint && existing.state === 'complete') {
            return { id: tape.id, fingerprint, created: false };
          }
          throw new TapeError(
            'TAPE_ID_CONFLICT',
            `${this.path} already holds a different tape under run id ${tape.id} (fingerprint ${toHex(existing.head)}, not ${fingerprint}): save it under a new id.`,
            {
              details: {
                path: this.path,
                id: tape.id,
                stored: toHex(existing.head),
                given: fingerprint,
              },
            },
          );
        }
        const s = this.#statements;
        const counts = tape.counts;
        s.insertTape.run(
          tape.id,
          tape.metadata.createdAt,
          JSON.stringify(tape.metadata),
          tape.complete ? 'complete' : 'recording',
          tape.events.length,
          Buffer.from(fingerprint, 'hex'),
          counts.draw,
          counts.exchange,
          counts.annotation,
        );
        tape.storedEvents().forEach((stored, seq) => {
          for (const blob of stored.blobs) s.insertBlob.run(blob.digest, asBuffer(blob.bytes));
          s.insertEvent.run(tape.id, seq, stored.event.type, asBuffer(stored.record), stored.head);
        });
        return { id: tape.id, fingerprint, created: true };
      })(),
    );
  }

  /**
   * Reads a tape back. With no id, the store must hold exactly one tape. The fingerprint is
   * recomputed from the stored bytes; a mismatch with the stored one fails with TAPE_DAMAGED.
   */
  load(id?: string): Tape {
    this.#open();
    return this.#run(() => {
      const row = this.#statements.tapeById.get(id === undefined ? this.#onlyId() : validRunId(id));
      if (row === undefined) throw this.#notFound(id as string);
      const events = [...this.#readEvents(row.id)];
      const tape = Tape.restore(
        row.id,
        JSON.parse(row.metadata) as TapeMetadata,
        row.state === 'complete',
        events,
      );
      if (tape.fingerprint !== toHex(row.head) || events.length !== row.event_count) {
        throw this.#damaged(
          row.id,
          `its events hash to ${tape.fingerprint}, not the stored fingerprint ${toHex(row.head)}`,
        );
      }
      return tape;
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
    return this.#run(() =>
      this.#statements.allTapes.all().map((row) => ({
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
      })),
    );
  }

  /**
   * Recomputes every blob's digest and every tape's chain from the stored bytes, and reports
   * what does not match and where. Never throws for damage it finds; it reports it.
   */
  verify(id?: string): VerifyReport {
    this.#open();
    return this.#run(() =>
      verifyStore(
        this.path,
        this.#db,
        this.#statements,
        id === undefined ? undefined : validRunId(id),
      ),
    );
  }

  /**
   * Closes the file. A recorder left unfinished keeps its tape marked incomplete. A writable
   * store folds its write-ahead log back into the file, so a closed tape is one self-contained
   * file to copy, attach or commit, with no `-wal`/`-shm` beside it.
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
        // Another connection still has the file open; it keeps the log, and nothing is lost.
      }
    }
    this.#db.close();
  }

  *#readEvents(tapeId: string): Generator<TapeEvent> {
    for (const row of this.#statements.eventsOfTape.iterate(tapeId)) {
      try {
        yield decodeRecord(row.record, (digest) => {
          const blob = this.#statements.blobByDigest.get(digest);
          return blob === undefined ? undefined : plainBytes(blob.data);
        });
      } catch (error) {
        if (error instanceof MissingBlob || error instanceof UndecodableRecord) {
          throw this.#damaged(
            tapeId,
            `event ${row.seq} cannot be read (${error.message})`,
            row.seq,
          );
        }
        throw error;
      }
    }
  }

  #onlyId(): string {
    const ids = this.#statements.allTapes.all().map((row) => row.id);
    if (ids.length === 1) return ids[0] as string;
    if (ids.length === 0) {
      throw new TapeError(
        'TAPE_ID_NOT_FOUND',
        `${this.path} holds no tape yet: record or save one first.`,
        { details: { path: this.path } },
      );
    }
    throw new TapeError(
      'TAPE_AMBIGUOUS',
      `${this.path} holds ${ids.length} tapes: pass the run id of the one to load (see \`list()\`).`,
      {
        details: { path: this.path, ids },
      },
    );
  }

  #notFound(id: string): TapeError {
    return new TapeError(
      'TAPE_ID_NOT_FOUND',
      `${this.path} holds no tape with run id ${id}: see \`list()\` for the ids it holds.`,
      {
        details: { path: this.path, id },
      },
    );
  }

  #damaged(id: string, why: string, seq?: number): TapeError {
    return new TapeError(
      'TAPE_DAMAGED',
      `Tape ${id} in ${this.path} is damaged: ${why}. Run \`verify\` for a full report.`,
      {
        details: { path: this.path, id, ...(seq === undefined ? {} : { seq }) },
      },
    );
  }

  #open(): void {
    if (this.#closed)
      throw new TapeError('TAPE_CLOSED', `The store ${this.path} is closed: open it again.`, {
        details: { path: this.path },
      });
  }

  #writable(): void {
    this.#open();
    if (this.readonly) {
      throw new TapeError(
        'TAPE_IO',
        `The store ${this.path} was opened read-only: open it without \`readonly\` to write.`,
        {
          details: { path: this.path },
        },
      );
    }
  }

  #run<T>(fn: () => T): T {
    return guard(this.path, fn);
  }
}
