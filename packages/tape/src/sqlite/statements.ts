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
  type: string;
  record: Buffer;
  chain: Buffer;
}

export interface BlobRow {
  digest: Buffer;
  data: Buffer;
}

type Run<P extends unknown[]> = Database.Statement<P, unknown>;

export interface StoreStatements {
  tapeById: Database.Statement<[string], TapeRow>;
  allTapes: Database.Statement<[], TapeRow>;
  eventsOfTape: Database.Statement<[string], EventRow>;
  blobByDigest: Database.Statement<[Uint8Array], { data: Buffer }>;
  allBlobs: Database.Statement<[], BlobRow>;
  insertTape: Run<[string, string, string, string, number, Buffer, number, number, number]>;
  insertBlob: Run<[Buffer, Buffer]>;
  insertEvent: Run<[string, number, string, Buffer, Buffer]>;
  updateHead: Run<[number, Buffer, number, number, number, string]>;
  markComplete: Run<[string]>;
}

export function prepareStatements(db: Database.Database): StoreStatements {
  return {
    tapeById: db.prepare('SELECT * FROM tapes WHERE id = ?'),
    allTapes: db.prepare('SELECT * FROM tapes ORDER BY created_at, id'),
    eventsOfTape: db.prepare(
      'SELECT seq, type, record, chain FROM events WHERE tape_id = ? ORDER BY seq',
    ),
    blobByDigest: db.prepare('SELECT data FROM blobs WHERE digest = ?'),
    allBlobs: db.prepare('SELECT digest, data FROM blobs'),
    insertTape: db.prepare(
      `INSERT INTO tapes (id, created_at, metadata, state, event_count, head, draw_count, exchange_count, annotation_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Content addressing: a blob already stored under its digest is not written again.
    insertBlob: db.prepare('INSERT OR IGNORE INTO blobs (digest, data) VALUES (?, ?)'),
    insertEvent: db.prepare(
      'INSERT INTO events (tape_id, seq, type, record, chain) VALUES (?, ?, ?, ?, ?)',
    ),
    updateHead: db.prepare(
      `UPDATE tapes SET event_count = ?, head = ?, draw_count = ?, exchange_count = ?, annotation_count = ?
       WHERE id = ?`,
    ),
    markComplete: db.prepare("UPDATE tapes SET state = 'complete' WHERE id = ?"),
  };
}
