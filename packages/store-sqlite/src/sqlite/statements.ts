/** The prepared statements a store runs, typed by the rows they return. */
import type Database from 'better-sqlite3';

export interface TapeRow {
  id: string;
  created_at: string;
  metadata: string;
  state: 'recording' | 'complete';
  event_count: number;
  head: Buffer;
  draw_count: number;
  exchange_count: number;
  annotation_count: number;
}

export interface EventRow {
  seq: number;
  record: Buffer;
  chain: Buffer;
}

export interface BlobRow {
  digest: Buffer;
  data: Buffer;
}

/** A tape that begins with the first `events` events of another, kept in that other's rows. */
export interface BaseRow {
  base_id: string;
  events: number;
}

export interface DependentRow {
  tape_id: string;
  events: number;
}

type Run<P extends unknown[]> = Database.Statement<P, unknown>;

export interface BaseWrites {
  /** The tapes that begin on tape `id`. */
  dependentsOf: Database.Statement<[string], DependentRow>;
  insertBase: Run<[string, string, number]>;
  setBase: Run<[{ id: string; base: string; events: number }]>;
  deleteBase: Run<[string]>;
}

export interface StoreStatements {
  tapeById: Database.Statement<[string], TapeRow>;
  allTapes: Database.Statement<[], TapeRow>;
  eventsOfTape: Database.Statement<[string], EventRow>;
  /** The bytes of every blob a tape refers to, in one query (plucked: one Buffer a row). */
  blobsOfTape: Database.Statement<[string], Buffer>;
  /** The digests a tape's reference index holds (plucked). */
  referencesOfTape: Database.Statement<[string], Buffer>;
  blobByDigest: Database.Statement<[Uint8Array], Buffer>;
  allBlobs: Database.Statement<[], BlobRow>;
  insertTape: Run<[string, string, string, string, number, Buffer, number, number, number]>;
  insertBlob: Run<[Buffer, Buffer]>;
  /** A tape's reference to a blob whose id is not known (it was stored before). */
  insertReference: Run<[string, Buffer]>;
  /** A tape's reference to a blob just inserted, by its id. */
  insertReferenceById: Run<[string, number | bigint]>;
  insertEvent: Run<[string, number, string, Buffer, Buffer]>;
  /** Moves a recording on from `event_count` = the seq appended; changes nothing if it is gone. */
  updateHead: Run<[number, Buffer, number, number, number, string, number]>;
  markComplete: Run<[string, number]>;
  /** The blobs tape `id` refers to that no other tape does. */
  deleteOwnBlobs: Run<[{ id: string }]>;
  deleteReferences: Run<[string]>;
  deleteEvents: Run<[string]>;
  deleteTape: Run<[string]>;
  /**
   * A finished re-recording takes its id: a copy of its tape row under the id, its events and
   * references moved over, then its staged row removed (in that order, for the foreign keys).
   */
  copyTape: Run<[{ from: string; to: string }]>;
  renameEvents: Run<[{ from: string; to: string }]>;
  renameReferences: Run<[{ from: string; to: string }]>;
  /** The tape `id` begins on, if any (see `baseLookup`). */
  baseOf: (id: string) => BaseRow | undefined;
  /**
   * What writes bases, prepared on first use: a file read-only at a version before 5 has no
   * `tape_bases` table to prepare them against (and is never written).
   */
  bases: () => BaseWrites;
  /** The events of tape `id` kept in its own rows with `from <= seq < to`, in order. */
  eventsInRange: Database.Statement<[string, number, number], EventRow>;
  /** The chain head after event `seq`, from the rows of the tape that keeps it (plucked). */
  chainAt: Database.Statement<[string, number], Buffer>;
  /** Copies rows `lo <= seq < hi` of tape `from` to tape `to`: a base's events its dependent keeps. */
  copyEvents: Run<[{ from: string; to: string; lo: number; hi: number }]>;
}

export function prepareStatements(db: Database.Database): StoreStatements {
  return {
    tapeById: db.prepare('SELECT * FROM tapes WHERE id = ?'),
    allTapes: db.prepare('SELECT * FROM tapes ORDER BY created_at, id'),
    eventsOfTape: db.prepare(
      'SELECT seq, record, chain FROM events WHERE tape_id = ? ORDER BY seq',
    ),
    blobsOfTape: db
      .prepare<[string], Buffer>(
        'SELECT b.data FROM tape_blobs t JOIN blobs b ON b.id = t.blob_id WHERE t.tape_id = ? ORDER BY t.blob_id',
      )
      .pluck(),
    referencesOfTape: db
      .prepare<[string], Buffer>(
        'SELECT b.digest FROM tape_blobs t JOIN blobs b ON b.id = t.blob_id WHERE t.tape_id = ?',
      )
      .pluck(),
    blobByDigest: db
      .prepare<[Uint8Array], Buffer>('SELECT data FROM blobs WHERE digest = ?')
      .pluck(),
    allBlobs: db.prepare('SELECT digest, data FROM blobs'),
    insertTape: db.prepare(
      `INSERT INTO tapes (id, created_at, metadata, state, event_count, head, draw_count, exchange_count, annotation_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Content addressing: a blob already stored under its digest is not written again.
    insertBlob: db.prepare('INSERT OR IGNORE INTO blobs (digest, data) VALUES (?, ?)'),
    insertReference: db.prepare(
      'INSERT OR IGNORE INTO tape_blobs (tape_id, blob_id) SELECT ?, id FROM blobs WHERE digest = ?',
    ),
    insertReferenceById: db.prepare(
      'INSERT OR IGNORE INTO tape_blobs (tape_id, blob_id) VALUES (?, ?)',
    ),
    insertEvent: db.prepare(
      'INSERT INTO events (tape_id, seq, type, record, chain) VALUES (?, ?, ?, ?, ?)',
    ),
    updateHead: db.prepare(
      `UPDATE tapes SET event_count = ?, head = ?, draw_count = ?, exchange_count = ?, annotation_count = ?
       WHERE id = ? AND event_count = ? AND state = 'recording'`,
    ),
    markComplete: db.prepare(
      "UPDATE tapes SET state = 'complete' WHERE id = ? AND event_count = ? AND state = 'recording'",
    ),
    deleteOwnBlobs: db.prepare(
      `DELETE FROM blobs WHERE id IN (SELECT blob_id FROM tape_blobs WHERE tape_id = @id)
       AND NOT EXISTS (SELECT 1 FROM tape_blobs r WHERE r.blob_id = blobs.id AND r.tape_id <> @id)`,
    ),
    deleteReferences: db.prepare('DELETE FROM tape_blobs WHERE tape_id = ?'),
    deleteEvents: db.prepare('DELETE FROM events WHERE tape_id = ?'),
    deleteTape: db.prepare('DELETE FROM tapes WHERE id = ?'),
    copyTape: db.prepare(
      `INSERT INTO tapes (id, created_at, metadata, state, event_count, head, draw_count, exchange_count, annotation_count)
       SELECT @to, created_at, metadata, state, event_count, head, draw_count, exchange_count, annotation_count
       FROM tapes WHERE id = @from`,
    ),
    renameEvents: db.prepare('UPDATE events SET tape_id = @to WHERE tape_id = @from'),
    renameReferences: db.prepare('UPDATE tape_blobs SET tape_id = @to WHERE tape_id = @from'),
    baseOf: baseLookup(db),
    bases: once(() => ({
      dependentsOf: db.prepare('SELECT tape_id, events FROM tape_bases WHERE base_id = ?'),
      insertBase: db.prepare('INSERT INTO tape_bases (tape_id, base_id, events) VALUES (?, ?, ?)'),
      setBase: db.prepare(
        'UPDATE tape_bases SET base_id = @base, events = @events WHERE tape_id = @id',
      ),
      deleteBase: db.prepare('DELETE FROM tape_bases WHERE tape_id = ?'),
    })),
    eventsInRange: db.prepare(
      'SELECT seq, record, chain FROM events WHERE tape_id = ? AND seq >= ? AND seq < ? ORDER BY seq',
    ),
    chainAt: db
      .prepare<[string, number], Buffer>('SELECT chain FROM events WHERE tape_id = ? AND seq = ?')
      .pluck(),
    copyEvents: db.prepare(
      `INSERT INTO events (tape_id, seq, type, record, chain)
       SELECT @to, seq, type, record, chain FROM events WHERE tape_id = @from AND seq >= @lo AND seq < @hi`,
    ),
  };
}

function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/**
 * Reads a tape's base. A file from before version 5 has no `tape_bases` table, and a read-only
 * open reads it as it is (it has no tape on a base); the lookup is then prepared again on each
 * call, so that a reader kept open while a writer upgrades the file sees the bases it writes.
 */
function baseLookup(db: Database.Database): (id: string) => BaseRow | undefined {
  const sql = 'SELECT base_id, events FROM tape_bases WHERE tape_id = ?';
  const prepare = (): Database.Statement<[string], BaseRow> | undefined => {
    try {
      return db.prepare<[string], BaseRow>(sql);
    } catch {
      return undefined; // no such table yet
    }
  };
  const prepared = prepare();
  if (prepared !== undefined) return (id) => prepared.get(id);
  return (id) => prepare()?.get(id);
}
