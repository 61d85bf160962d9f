/**
 * The store's schema and its migrations. A new file is built by running every migration from
 * version 0, so the upgrade path an older file takes is the same code every new file runs.
 * `PRAGMA application_id` marks the file as a tape store; `PRAGMA user_version` is its version.
 */
import { sha256 } from '@trace/spec';
import { blobDigestsOf, blobLayoutOf } from '@trace/tape/backend';
import type { Database } from 'better-sqlite3';
import { BlobStore } from './blob-store.js';
import { version6Blobs } from './version-6.js';

/** 'TRAC' in ASCII: tells a tape store apart from any other SQLite file. */
export const APPLICATION_ID = 0x54524143;
export const FORMAT_NAME = '@trace/tape';

interface Migration {
  readonly to: number;
  readonly describe: string;
  readonly up: (db: Database) => void;
  /**
   * True when a file not yet at this version reads the same without the step: a read-only open
   * may then read it as it is, instead of refusing it for want of an upgrade. The version still
   * rises on the next writable open, so that an older reader refuses what a newer writer wrote.
   */
  readonly readableWithout?: boolean;
}

const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    describe:
      'blobs by digest, tapes by run id, events as canonical records with their chain heads',
    up(db) {
      db.exec(`
        CREATE TABLE trace_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE blobs (
          id INTEGER PRIMARY KEY,
          digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
          data BLOB NOT NULL
        );
        CREATE TABLE tapes (
          id TEXT PRIMARY KEY,
          created_at TEXT NOT NULL,
          metadata TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('recording', 'complete')),
          event_count INTEGER NOT NULL,
          head BLOB NOT NULL
        );
        CREATE TABLE events (
          tape_id TEXT NOT NULL REFERENCES tapes (id),
          seq INTEGER NOT NULL,
          type TEXT NOT NULL,
          record BLOB NOT NULL,
          chain BLOB NOT NULL,
          PRIMARY KEY (tape_id, seq)
        ) WITHOUT ROWID;
      `);
      db.prepare('INSERT INTO trace_meta (key, value) VALUES (?, ?)').run('format', FORMAT_NAME);
    },
  },
  {
    to: 2,
    describe: 'per-type event counts on each tape, for listing without a scan',
    up(db) {
      db.exec(`
        ALTER TABLE tapes ADD COLUMN draw_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tapes ADD COLUMN exchange_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tapes ADD COLUMN annotation_count INTEGER NOT NULL DEFAULT 0;
        UPDATE tapes SET
          draw_count = (SELECT count(*) FROM events WHERE tape_id = tapes.id AND type = 'draw'),
          exchange_count = (SELECT count(*) FROM events WHERE tape_id = tapes.id AND type = 'exchange'),
          annotation_count = (SELECT count(*) FROM events WHERE tape_id = tapes.id AND type = 'annotation');
      `);
    },
  },
  {
    to: 3,
    describe:
      'which tape refers to which blob: a tape is read with one query, and deleting it removes the blobs no other tape uses',
    up(db) {
      db.exec(`
        CREATE TABLE tape_blobs (
          tape_id TEXT NOT NULL REFERENCES tapes (id),
          blob_id INTEGER NOT NULL,
          PRIMARY KEY (tape_id, blob_id)
        ) WITHOUT ROWID;
        CREATE INDEX tape_blobs_by_blob ON tape_blobs (blob_id, tape_id);
      `);
      // No foreign key on blob_id: a blob that went missing is damage for load and verify to
      // report, not something the schema should make impossible to represent.
      // Filled from the records themselves: they name every blob their event refers to.
      const refer = db.prepare(
        'INSERT OR IGNORE INTO tape_blobs (tape_id, blob_id) SELECT ?, id FROM blobs WHERE digest = ?',
      );
      const events = db
        .prepare('SELECT tape_id, record FROM events ORDER BY tape_id, seq')
        .raw(true)
        .all() as [string, Buffer][];
      for (const [tapeId, record] of events) {
        let digests: Buffer[];
        try {
          digests = blobDigestsOf(record);
        } catch {
          continue; // a damaged record: the tape reads as damaged, and `verify` says where
        }
        for (const digest of digests) refer.run(tapeId, digest);
      }
    },
  },
  {
    to: 4,
    describe:
      'exchange records may carry the trailer (issue order, timing, a followed redirect), which an older reader cannot decode',
    // Nothing in the schema changes. The version rises so that an older @trace/store-sqlite
    // refuses the file as a newer format, instead of reading a record with a trailer as damaged.
    up() {},
    readableWithout: true,
  },
  {
    to: 5,
    describe:
      'a tape may begin with the events of another (a fork with its parent): those are kept once, in the base',
    up(db) {
      db.exec(`
        CREATE TABLE tape_bases (
          tape_id TEXT PRIMARY KEY REFERENCES tapes (id),
          base_id TEXT NOT NULL REFERENCES tapes (id),
          events INTEGER NOT NULL CHECK (events > 0)
        ) WITHOUT ROWID;
        CREATE INDEX tape_bases_by_base ON tape_bases (base_id);
      `);
    },
    // A file without the table has no tape on a base.
    readableWithout: true,
  },
  {
    to: 6,
    describe:
      'blobs kept in chunks, each chunk once per store and compressed; a streamed body kept whole, not a blob per chunk',
    up(db) {
      db.exec(`
        ALTER TABLE blobs RENAME TO blobs_v5;
        CREATE TABLE blobs (
          id INTEGER PRIMARY KEY,
          digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
          size INTEGER NOT NULL,
          method INTEGER,
          data BLOB
        );
        CREATE TABLE chunks (
          id INTEGER PRIMARY KEY,
          digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
          size INTEGER NOT NULL,
          method INTEGER NOT NULL,
          data BLOB NOT NULL
        );
        ALTER TABLE events ADD COLUMN stream INTEGER;
        CREATE INDEX events_by_stream ON events (stream) WHERE stream IS NOT NULL;
        DELETE FROM tape_blobs;
      `);
      // Every blob again, from the records: bodies as blobs, each stream's chunks joined into
      // one; the references rebuilt as a writer makes them (each tape, the blobs its rows name).
      // Each kept whole (method 0), as this version may keep any blob: the upgrade to version 7
      // cuts them into chunks and packs.
      const old = db
        .prepare<[Uint8Array], Buffer>('SELECT data FROM blobs_v5 WHERE digest = ?')
        .pluck();
      const insert = db.prepare(
        'INSERT OR IGNORE INTO blobs (digest, size, method, data) VALUES (?, ?, 0, ?)',
      );
      const idOf = db.prepare<[Buffer], number>('SELECT id FROM blobs WHERE digest = ?').pluck();
      const keep = (bytes: Buffer, digest: Buffer): number => {
        insert.run(digest, bytes.length, bytes);
        return idOf.get(digest) as number;
      };
      const setStream = db.prepare('UPDATE events SET stream = ? WHERE tape_id = ? AND seq = ?');
      const refer = db.prepare('INSERT OR IGNORE INTO tape_blobs (tape_id, blob_id) VALUES (?, ?)');
      const rows = db
        .prepare('SELECT tape_id, seq, record FROM events ORDER BY tape_id, seq')
        .raw(true)
        .all() as [string, number, Buffer][];
      for (const [tapeId, seq, record] of rows) {
        let layout: ReturnType<typeof blobLayoutOf>;
        try {
          layout = blobLayoutOf(record);
        } catch {
          continue; // a damaged record: the tape reads as damaged, and `verify` says where
        }
        for (const body of layout.bodies) {
          const bytes = old.get(body.digest);
          // A missing blob stays missing: reading the tape says so, as it did before.
          if (bytes !== undefined) refer.run(tapeId, keep(bytes, body.digest));
        }
        if (layout.stream === undefined) continue;
        const parts = layout.stream.map((chunk) => old.get(chunk.digest));
        if (parts.some((part) => part === undefined)) continue;
        const joined = Buffer.concat(parts as Buffer[]);
        const stream = keep(joined, sha256(joined));
        setStream.run(stream, tapeId, seq);
        refer.run(tapeId, stream);
      }
      db.exec('DROP TABLE blobs_v5;');
    },
  },
  {
    to: 7,
    describe:
      'the new bytes of each write compressed together as one pack, in which chunks and inline blobs are placed',
    up(db) {
      db.exec(`
        ALTER TABLE blobs RENAME TO blobs_v6;
        ALTER TABLE chunks RENAME TO chunks_v6;
        CREATE TABLE packs (
          id INTEGER PRIMARY KEY,
          size INTEGER NOT NULL,
          method INTEGER NOT NULL,
          data BLOB NOT NULL
        );
        CREATE TABLE chunks (
          id INTEGER PRIMARY KEY,
          digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
          size INTEGER NOT NULL,
          pack INTEGER NOT NULL,
          offset INTEGER NOT NULL
        );
        CREATE TABLE blobs (
          id INTEGER PRIMARY KEY,
          digest BLOB NOT NULL UNIQUE CHECK (length(digest) = 32),
          size INTEGER NOT NULL,
          pack INTEGER,
          offset INTEGER,
          chunks BLOB
        );
      `);
      // Every blob again, under the id it had (events.stream and tape_blobs name blobs by id),
      // its bytes as version 6 kept them; what cannot be read is kept as it reads, so that a
      // damaged blob stays damaged (and reported), not lost.
      const batch = new BlobStore(db).batch();
      for (const blob of version6Blobs(db)) batch.restore(blob.id, blob.bytes, blob.digest);
      batch.finish();
      db.exec('DROP TABLE blobs_v6; DROP TABLE chunks_v6;');
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Whether a file at version `from` reads as it is, without the migrations since: every one of
 * them is `readableWithout` (a read-only open of such a file reads it and leaves it untouched).
 */
export function readableWithoutUpgrade(from: number): boolean {
  return MIGRATIONS.every((migration) => migration.to <= from || migration.readableWithout);
}

/**
 * Runs the migrations from the file's version up to `target`, all in the transaction the caller
 * holds, so that a file is upgraded whole or not at all.
 */
export function migrate(db: Database, from: number, target: number = SCHEMA_VERSION): void {
  for (const migration of MIGRATIONS) {
    if (migration.to <= from || migration.to > target) continue;
    migration.up(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${migration.to}`);
  }
}
