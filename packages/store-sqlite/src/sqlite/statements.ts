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
  /** The blob its streamed response body is kept in, whole (see blob-store.ts), if it has one. */
  stream: number | null;
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

export interface StoreStatements {
  tapeById: Database.Statement<[string], TapeRow>;
  allTapes: Database.Statement<[], TapeRow>;
  eventsOfTape: Database.Statement<[string], EventRow>;
  /** The digests a tape's reference index holds (plucked). */
  referencesOfTape: Database.Statement<[string], Buffer>;
  /** The streams (blob ids) a tape's events name that its reference index names (plucked). */
  indexedStreamsOf: Database.Statement<[string], number>;
  /** The records of tape `id`'s events whose streamed body is kept in blob `stream` (plucked). */
  recordsOfTapeStream: Database.Statement<[string, number], Buffer>;
  /** Every record whose streamed body is kept in blob `id` (plucked). */
  recordsOfStream: Database.Statement<[number], Buffer>;
  /** The blobs that keep a stream (by id). */
  streamBlobIds: Database.Statement<[], number>;
  insertTape: Run<[string, string, string, string, number, Buffer, number, number, number]>;
  /** A tape's reference to a blob by its digest (a digest the store does not hold: nothing). */
  insertReference: Run<[string, Buffer]>;
  /** A tape's reference to a blob by its id. */
  insertReferenceById: Run<[string, number | bigint]>;
  insertEvent: Run<[string, number, string, Buffer, Buffer, number | null]>;
  /** Moves a recording on from `event_count` = the seq appended; changes nothing if it is gone. */
  /** A recording's next head, only if its tape is still there, recording, at the head before. */
  updateHead: Run<[number, Buffer, number, number, number, string, number, Buffer]>;
  markComplete: Run<[string, number, Buffer]>;
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
  /** The tape `id` begins on, if any. */
  baseOf: (id: string) => BaseRow | undefined;
  /** The tapes that begin on tape `id`. */
  dependentsOf: Database.Statement<[string], DependentRow>;
  insertBase: Run<[string, string, number]>;
  setBase: Run<[{ id: string; base: string; events: number }]>;
  deleteBase: Run<[string]>;
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
      'SELECT seq, record, chain, stream FROM events WHERE tape_id = ? ORDER BY seq',
    ),
    referencesOfTape: db
      .prepare<[string], Buffer>(
        'SELECT b.digest FROM tape_blobs t JOIN blobs b ON b.id = t.blob_id WHERE t.tape_id = ?',
      )
      .pluck(),
    indexedStreamsOf: db
      .prepare<[string], number>(
        `SELECT DISTINCT e.stream FROM events e
         JOIN tape_blobs t ON t.tape_id = e.tape_id AND t.blob_id = e.stream WHERE e.tape_id = ?`,
      )
      .pluck(),
    recordsOfTapeStream: db
      .prepare<[string, number], Buffer>(
        'SELECT record FROM events WHERE tape_id = ? AND stream = ?',
      )
      .pluck(),
    recordsOfStream: db
      .prepare<[number], Buffer>('SELECT record FROM events WHERE stream = ?')
      .pluck(),
    streamBlobIds: db
      .prepare<[], number>('SELECT DISTINCT stream FROM events WHERE stream IS NOT NULL')
      .pluck(),
    insertTape: db.prepare(
      `INSERT INTO tapes (id, created_at, metadata, state, event_count, head, draw_count, exchange_count, annotation_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertReference: db.prepare(
      'INSERT OR IGNORE INTO tape_blobs (tape_id, blob_id) SELECT ?, id FROM blobs WHERE digest = ?',
    ),
    insertReferenceById: db.prepare(
      'INSERT OR IGNORE INTO tape_blobs (tape_id, blob_id) VALUES (?, ?)',
    ),
    insertEvent: db.prepare(
      'INSERT INTO events (tape_id, seq, type, record, chain, stream) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    updateHead: db.prepare(
      `UPDATE tapes SET event_count = ?, head = ?, draw_count = ?, exchange_count = ?, annotation_count = ?
       WHERE id = ? AND event_count = ? AND state = 'recording' AND head = ?`,
    ),
    markComplete: db.prepare(
      `UPDATE tapes SET state = 'complete'
       WHERE id = ? AND event_count = ? AND state = 'recording' AND head = ?`,
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
    baseOf: (
      (statement) => (id: string) =>
        statement.get(id)
    )(db.prepare<[string], BaseRow>('SELECT base_id, events FROM tape_bases WHERE tape_id = ?')),
    dependentsOf: db.prepare('SELECT tape_id, events FROM tape_bases WHERE base_id = ?'),
    insertBase: db.prepare('INSERT INTO tape_bases (tape_id, base_id, events) VALUES (?, ?, ?)'),
    setBase: db.prepare(
      'UPDATE tape_bases SET base_id = @base, events = @events WHERE tape_id = @id',
    ),
    deleteBase: db.prepare('DELETE FROM tape_bases WHERE tape_id = ?'),
    eventsInRange: db.prepare(
      'SELECT seq, record, chain, stream FROM events WHERE tape_id = ? AND seq >= ? AND seq < ? ORDER BY seq',
    ),
    chainAt: db
      .prepare<[string, number], Buffer>('SELECT chain FROM events WHERE tape_id = ? AND seq = ?')
      .pluck(),
    copyEvents: db.prepare(
      `INSERT INTO events (tape_id, seq, type, record, chain, stream)
       SELECT @to, seq, type, record, chain, stream FROM events WHERE tape_id = @from AND seq >= @lo AND seq < @hi`,
    ),
  };
}
