import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { sha256 } from '@trace/spec';
import { Tape, TapeError, type TapeErrorCode, type TapeEvent } from '@trace/tape';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fixtureCopy, olderFile, storePath, tempDir } from './__tests__/helpers.js';
import { exchange, sampleTape as sharedSampleTape } from './__tests__/sample-tapes.mjs';
import { loadTape, openSqliteStore, saveTape, verifyTape } from './index.js';
import { migrate, SCHEMA_VERSION } from './sqlite/schema.js';

const dir = tempDir();
const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** A clock draw, `n` exchanges, an annotation (the tapes the format-5 fixtures hold too). */
const sampleTape = (id = 'run-1', n = 5): Tape => sharedSampleTape(Tape, id, n);

function catchError(fn: () => unknown): TapeError {
  try {
    fn();
  } catch (error) {
    if (TapeError.isInstance(error)) return error;
    throw new Error(`expected a TapeError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a TapeError, but nothing was thrown');
}

function expectRefusal(fn: () => unknown, code: TapeErrorCode, path?: string): TapeError {
  const error = catchError(fn);
  expect(error.code).toBe(code);
  if (path !== undefined) {
    expect(error.message).toContain(path);
    expect(error.details.path).toBe(path);
  }
  expect(error.stack).not.toMatch(/SqliteError/);
  return error;
}

describe('a store', () => {
  it('records event by event and lists its tapes with counts and fingerprints', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const recorder = store.record({
      id: 'live',
      metadata: { createdAt: '2026-01-01T00:00:00.000Z' },
    });
    expect(store.list()).toEqual([
      expect.objectContaining({
        id: 'live',
        complete: false,
        eventCount: 0,
        counts: { draw: 0, exchange: 0, annotation: 0 },
      }),
    ]);
    const reference = sampleTape('live');
    reference.events.forEach((event, i) => {
      expect(recorder.append(event)).toBe(i);
    });
    recorder.finish();
    expect(recorder.fingerprint).toBe(reference.fingerprint);
    store.save(sampleTape('saved'));
    expect(store.list()).toEqual([
      {
        id: 'live',
        createdAt: '2026-01-01T00:00:00.000Z',
        complete: true,
        eventCount: 7,
        counts: { draw: 1, exchange: 5, annotation: 1 },
        fingerprint: reference.fingerprint,
      },
      expect.objectContaining({
        id: 'saved',
        complete: true,
        eventCount: 7,
        fingerprint: reference.fingerprint,
      }),
    ]);
    expect(store.has('live')).toBe(true);
    expect(store.has('nope')).toBe(false);
    expectRefusal(() => recorder.append(exchange(9)), 'TAPE_CLOSED');
    store.close();
    expectRefusal(() => store.list(), 'TAPE_CLOSED');
  });

  it('is one self-contained file once closed, and stays one after being read', () => {
    const sub = `${dir}/single-${process.pid}`;
    mkdirSync(sub);
    const path = `${sub}/run.tape.db`;
    const store = openSqliteStore(path);
    const recorder = store.record();
    recorder.append(exchange(1));
    recorder.finish();
    expect(readdirSync(sub).sort()).toEqual(['run.tape.db', 'run.tape.db-shm', 'run.tape.db-wal']);
    store.close();
    expect(readdirSync(sub)).toEqual(['run.tape.db']);
    expect(loadTape(path).events).toHaveLength(1);
    expect(verifyTape(path).ok).toBe(true);
    expect(readdirSync(sub)).toEqual(['run.tape.db']);
  });

  it('closes while another connection has the file open, without waiting for it, keeping its log', () => {
    const path = storePath(dir);
    // A busy timeout far beyond the test's own: a close that waited for the reader would hang.
    const store = openSqliteStore(path, { busyTimeoutMs: 600_000 });
    store.save(sampleTape());
    const other = openSqliteStore(path, { readonly: true });
    expect(other.list()).toHaveLength(1);
    store.close(); // cannot leave WAL mode while `other` reads, so it must give up at once
    expect(other.load().fingerprint).toBe(sampleTape().fingerprint);
    other.close();
    expect(loadTape(path).events).toHaveLength(7);
  });

  it('keeps metadata outside the fingerprint', () => {
    const a = Tape.create({
      id: 'a',
      metadata: { createdAt: '2020-01-01T00:00:00Z', user: { machine: 'x' } },
    });
    const b = Tape.create({
      id: 'b',
      metadata: { createdAt: '2030-01-01T00:00:00Z', packages: { '@trace/tape': '9.9.9' } },
    });
    for (const tape of [a, b]) tape.append(exchange(1));
    expect(a.fingerprint).toBe(b.fingerprint);
    const path = storePath(dir);
    saveTape(path, a);
    expect(loadTape(path).metadata).toEqual({
      createdAt: '2020-01-01T00:00:00Z',
      recorder: { name: '@trace/tape', version: expect.any(String) },
      user: { machine: 'x' },
    });
  });

  it('saves the same tape twice as a no-op and refuses different content under the same id', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    expect(store.save(sampleTape('same'))).toMatchObject({ id: 'same', created: true });
    expect(store.save(sampleTape('same'))).toMatchObject({ id: 'same', created: false });
    const error = expectRefusal(() => store.save(sampleTape('same', 6)), 'TAPE_ID_CONFLICT', path);
    expect(error.message).toContain('run id same');
    expectRefusal(() => store.record({ id: 'same' }), 'TAPE_ID_CONFLICT', path);
    expect(store.load('same').events).toHaveLength(7);
    store.close();
  });

  it('keeps a multi-megabyte body and a thousand chunks intact', () => {
    const big = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    const tape = Tape.create({ id: 'big' });
    tape.append({
      type: 'exchange',
      request: { method: 'POST', url: 'http://127.0.0.1/', headers: [], body: big },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [],
        body: {
          kind: 'stream',
          chunks: Array.from({ length: 1000 }, (_, i) => ({
            offsetMs: i * 0.5,
            bytes: text(`data: ${i}\n\n`),
          })),
          end: { kind: 'complete' },
        },
      },
    });
    const path = storePath(dir);
    saveTape(path, tape);
    const back = loadTape(path);
    expect(back.fingerprint).toBe(tape.fingerprint);
    const event = back.events[0] as Extract<TapeEvent, { type: 'exchange' }>;
    expect(Buffer.from(event.request.body as Uint8Array).equals(Buffer.from(big))).toBe(true);
    expect(event.response?.body).toMatchObject({ kind: 'stream', end: { kind: 'complete' } });
    const body = event.response?.body as { chunks: readonly unknown[] };
    expect(body.chunks[999]).toEqual({
      offsetMs: 499.5,
      bytes: text('data: 999\n\n'),
    });
  });

  it("copies what it is given: mutating the caller's bytes later changes nothing", () => {
    const body = text('original');
    const tape = Tape.create();
    tape.append({
      type: 'exchange',
      request: { method: 'GET', url: 'http://127.0.0.1/', headers: [], body },
      error: { name: 'TypeError', message: 'fetch failed' },
    });
    const before = tape.fingerprint;
    body[0] = 0;
    expect(tape.fingerprint).toBe(before);
    expect(Object.isFrozen(tape.events[0])).toBe(true);
  });
});

describe('verify', () => {
  it('passes an untouched store, counting blobs and bytes', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const report = verifyTape(path);
    expect(report).toMatchObject({ ok: true, problems: [], blobsChecked: 10 });
    expect(report.tapes).toEqual([
      expect.objectContaining({ id: 'run-1', ok: true, complete: true, eventCount: 7 }),
    ]);
    expect(report.tapes[0]?.storedFingerprint).toBe(report.tapes[0]?.computedFingerprint);
  });

  it('locates a removed event, an inserted event and two swapped events', () => {
    const mutate = (sql: (db: Database.Database) => void) => {
      const path = storePath(dir);
      saveTape(path, sampleTape());
      const db = new Database(path);
      sql(db);
      db.close();
      return verifyTape(path);
    };
    const removed = mutate((db) => db.prepare('DELETE FROM events WHERE seq = 3').run());
    expect(removed.ok).toBe(false);
    expect(removed.problems).toContainEqual(
      expect.objectContaining({ kind: 'event-sequence', seq: 4 }),
    );

    const inserted = mutate((db) => {
      const row = db.prepare('SELECT record, chain FROM events WHERE seq = 2').get() as {
        record: Buffer;
        chain: Buffer;
      };
      db.prepare('UPDATE events SET seq = seq + 100 WHERE seq > 2').run();
      db.prepare('UPDATE events SET seq = seq - 99 WHERE seq > 100').run();
      db.prepare(
        "INSERT INTO events (tape_id, seq, type, record, chain) VALUES ('run-1', 3, 'exchange', ?, ?)",
      ).run(row.record, row.chain);
    });
    expect(inserted.problems).toContainEqual({ kind: 'event-tampered', tapeId: 'run-1', seq: 3 });

    const swapped = mutate((db) => {
      db.prepare('UPDATE events SET seq = 100 WHERE seq = 2').run();
      db.prepare('UPDATE events SET seq = 2 WHERE seq = 3').run();
      db.prepare('UPDATE events SET seq = 3 WHERE seq = 100').run();
    });
    expect(swapped.problems).toContainEqual({ kind: 'event-tampered', tapeId: 'run-1', seq: 2 });
    expect(swapped.tapes[0]?.ok).toBe(false);
  });

  it('reports a missing blob at the event that needs it, and load refuses the damaged tape', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const db = new Database(path);
    db.prepare('DELETE FROM blobs WHERE id = (SELECT max(id) FROM blobs)').run();
    db.close();
    const report = verifyTape(path);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'blob-missing', tapeId: 'run-1', seq: 5 }),
    );
    expectRefusal(() => loadTape(path), 'TAPE_DAMAGED', path);
  });

  it('reports a tampered blob with the events that refer to it', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const db = new Database(path);
    // The body {"n":2} is kept as it is (too short to compress), inline in its event's pack.
    const placed = db
      .prepare(
        `SELECT p.id, p.data, b.offset FROM blobs b JOIN packs p ON p.id = b.pack
         WHERE b.digest = ? AND p.method = 0`,
      )
      .get(sha256('{"n":2}')) as { id: number; data: Buffer; offset: number };
    placed.data.write('{"n":9}', placed.offset);
    db.prepare('UPDATE packs SET data = ? WHERE id = ?').run(placed.data, placed.id);
    db.close();
    const report = verifyTape(path);
    expect(report.problems[0]).toMatchObject({
      kind: 'blob-tampered',
      referencedBy: [{ tapeId: 'run-1', seq: 3 }],
    });
    expectRefusal(() => loadTape(path), 'TAPE_DAMAGED');
  });
});

describe('refusals', () => {
  it('a missing file, unless creating', () => {
    const path = `${dir}/missing.tape.db`;
    expectRefusal(() => loadTape(path), 'TAPE_NOT_FOUND', path);
    expectRefusal(() => openSqliteStore(path, { create: false }), 'TAPE_NOT_FOUND', path);
  });

  it('a file that is not SQLite', () => {
    const path = storePath(dir);
    writeFileSync(path, '{"this is": "json, not a database"}\n'.repeat(20));
    expectRefusal(() => loadTape(path), 'TAPE_NOT_SQLITE', path);
    expectRefusal(() => openSqliteStore(path), 'TAPE_NOT_SQLITE', path);
    expect(readFileSync(path, 'utf8')).toContain('json, not a database'); // never overwritten
  });

  it('an empty file opened for reading', () => {
    const path = storePath(dir);
    writeFileSync(path, '');
    expectRefusal(() => loadTape(path), 'TAPE_NOT_A_TAPE', path);
  });

  it('an SQLite database of another application', () => {
    const path = storePath(dir);
    const db = new Database(path);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expectRefusal(() => loadTape(path), 'TAPE_NOT_A_TAPE', path);
    expectRefusal(() => openSqliteStore(path), 'TAPE_NOT_A_TAPE', path);
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT count(*) AS n FROM sqlite_master').get()).toEqual({ n: 1 });
    after.close();
  });

  it('a file from a newer version', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const error = expectRefusal(() => loadTape(path), 'TAPE_VERSION_NEWER', path);
    expect(error.message).toMatch(/Upgrade @trace\/store-sqlite/);
    expectRefusal(() => openSqliteStore(path), 'TAPE_VERSION_NEWER', path);
  });

  it('a truncated file, cut anywhere', () => {
    const original = storePath(dir);
    saveTape(original, sampleTape('run-1', 200));
    const size = readFileSync(original).length;
    expect(size).toBeGreaterThan(8192);
    for (const keep of [50, 99, 4096, Math.floor(size / 2), size - 1]) {
      const path = storePath(dir);
      copyFileSync(original, path);
      truncateSync(path, keep);
      const error = expectRefusal(() => loadTape(path), 'TAPE_TRUNCATED', path);
      expect(error.message).toMatch(/truncated/);
    }
  });

  it('a file damaged inside, as a typed error rather than a driver trace', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape('run-1', 200));
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 4096, 8192); // overwrite the second page (a b-tree page) with garbage
    writeFileSync(path, bytes);
    const error = catchError(() => {
      const store = openSqliteStore(path, { readonly: true });
      try {
        store.load();
      } finally {
        store.close();
      }
    });
    expect(error.code).toBe('TAPE_CORRUPT');
    expect(error.message).toContain(path);
    expect((error.cause as { code?: string }).code).toBe('SQLITE_CORRUPT');
  });

  it('a read-only store refuses writes', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const store = openSqliteStore(path, { readonly: true });
    expectRefusal(() => store.save(sampleTape('other')), 'TAPE_IO', path);
    expectRefusal(() => store.record(), 'TAPE_IO', path);
    store.close();
  });

  it('a store locked by another writer, after the busy timeout', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const holder = new Database(path);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const error = catchError(() => {
        const store = openSqliteStore(path, { busyTimeoutMs: 50 });
        try {
          store.save(sampleTape('second'));
        } finally {
          store.close();
        }
      });
      expect(error.code).toBe('TAPE_BUSY');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('several tapes and no id, an unknown id, and a bad id', () => {
    const path = storePath(dir);
    expectRefusal(() => openSqliteStore(path).load(), 'TAPE_ID_NOT_FOUND', path);
    saveTape(path, sampleTape('a'));
    saveTape(path, sampleTape('b'));
    expectRefusal(() => loadTape(path), 'TAPE_AMBIGUOUS', path);
    expectRefusal(() => loadTape(path, 'c'), 'TAPE_ID_NOT_FOUND', path);
    expectRefusal(() => Tape.create({ id: 'has space' }), 'TAPE_INVALID_ARGUMENT');
    expectRefusal(
      () => Tape.create({ metadata: { createdAt: 'yesterday' } }),
      'TAPE_INVALID_ARGUMENT',
    );
    expect(loadTape(path, 'b').id).toBe('b');
  });
});

describe('invalid events', () => {
  const request = { method: 'GET', url: 'http://127.0.0.1/', headers: [], body: null };
  it.each<[string, unknown, string]>([
    ['an unknown type', { type: 'sound' }, 'event.type'],
    ['a draw without a kind', { type: 'draw', value: 1 }, 'event.kind'],
    ['a draw with an empty kind', { type: 'draw', kind: '', value: 1 }, 'event.kind'],
    ['a draw with NaN', { type: 'draw', kind: 'random.float', value: Number.NaN }, 'event.value'],
    [
      'an annotation with undefined inside',
      { type: 'annotation', data: { a: [undefined] } },
      'event.data.a[0]',
    ],
    [
      'an exchange with both outcomes',
      {
        type: 'exchange',
        request,
        response: { status: 200, statusText: '', headers: [], body: null },
        error: { name: 'E', message: 'm' },
      },
      'event',
    ],
    ['an exchange with neither outcome', { type: 'exchange', request }, 'event'],
    [
      'a status out of range',
      {
        type: 'exchange',
        request,
        response: { status: 42, statusText: '', headers: [], body: null },
      },
      'event.response.status',
    ],
    [
      'a header that is not a pair',
      {
        type: 'exchange',
        request: { ...request, headers: [['a']] },
        error: { name: 'E', message: 'm' },
      },
      'event.request.headers[0]',
    ],
    [
      'a body that is a string',
      {
        type: 'exchange',
        request: { ...request, body: 'text' },
        error: { name: 'E', message: 'm' },
      },
      'event.request.body',
    ],
    [
      'a negative chunk offset',
      {
        type: 'exchange',
        request,
        response: {
          status: 200,
          statusText: '',
          headers: [],
          body: {
            kind: 'stream',
            chunks: [{ offsetMs: -1, bytes: new Uint8Array() }],
            end: { kind: 'complete' },
          },
        },
      },
      'event.response.body.chunks[0].offsetMs',
    ],
    [
      'an unknown stream end',
      {
        type: 'exchange',
        request,
        response: {
          status: 200,
          statusText: '',
          headers: [],
          body: { kind: 'stream', chunks: [], end: { kind: 'paused' } },
        },
      },
      'event.response.body.end.kind',
    ],
    [
      'a method with a space',
      {
        type: 'exchange',
        request: { ...request, method: 'GET X' },
        error: { name: 'E', message: 'm' },
      },
      'event.request.method',
    ],
  ])('refuses %s, naming the field, and appends nothing', (_label, event, path) => {
    const tape = Tape.create();
    const error = expectRefusal(() => tape.append(event as TapeEvent), 'TAPE_INVALID_EVENT');
    expect(error.details.path).toBe(path);
    expect(tape.events).toHaveLength(0);

    const store = openSqliteStore(storePath(dir));
    const recorder = store.record();
    recorder.append({ type: 'annotation', data: 'before' });
    expectRefusal(() => recorder.append(event as TapeEvent), 'TAPE_INVALID_EVENT');
    expect(recorder.eventCount).toBe(1);
    recorder.finish();
    expect(store.load().events).toHaveLength(1);
    store.close();
  });
});

describe('upgrades', () => {
  it('a version-1 file is upgraded on open, with its counts filled in', () => {
    const path = storePath(dir);
    const current = fixtureCopy(dir, 'v5-run-1');
    // Build a real version-1 file: the v1 schema, then the rows a v1 writer would have written.
    const db = new Database(path);
    migrate(db, 0, 1);
    db.exec(`ATTACH DATABASE '${current}' AS src;
      INSERT INTO blobs SELECT id, digest, data FROM src.blobs;
      INSERT INTO tapes SELECT id, created_at, metadata, state, event_count, head FROM src.tapes;
      INSERT INTO events SELECT * FROM src.events;
      DETACH DATABASE src;`);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();

    expectRefusal(() => loadTape(path), 'TAPE_UPGRADE_NEEDS_WRITE', path);
    const store = openSqliteStore(path);
    expect(store.list()).toEqual([
      expect.objectContaining({ id: 'run-1', counts: { draw: 1, exchange: 5, annotation: 1 } }),
    ]);
    expect(store.load().fingerprint).toBe(sampleTape().fingerprint);
    store.close();
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    after.close();
  });

  it('a version-2 file is upgraded on open, its blob references filled in from the records', () => {
    const current = fixtureCopy(dir, 'v5-a5-b7');
    const path = storePath(dir);
    const db = new Database(path);
    migrate(db, 0, 2);
    db.exec(`ATTACH DATABASE '${current}' AS src;
      INSERT INTO blobs SELECT id, digest, data FROM src.blobs;
      INSERT INTO tapes SELECT * FROM src.tapes;
      INSERT INTO events SELECT * FROM src.events;
      DETACH DATABASE src;`);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();

    expectRefusal(() => loadTape(path, 'a'), 'TAPE_UPGRADE_NEEDS_WRITE', path);
    const upgraded = openSqliteStore(path);
    expect(upgraded.load('a').fingerprint).toBe(sampleTape('a', 5).fingerprint);
    expect(upgraded.load('b').fingerprint).toBe(sampleTape('b', 7).fingerprint);
    expect(upgraded.verify()).toMatchObject({ ok: true, blobsChecked: 14 });
    // The references the upgrade filled in are what deleting collects by.
    expect(upgraded.delete('b')).toEqual({ id: 'b', deleted: true, blobsRemoved: 4 });
    expect(upgraded.delete('a')).toEqual({ id: 'a', deleted: true, blobsRemoved: 10 });
    expect(upgraded.verify()).toMatchObject({ ok: true, blobsChecked: 0 });
    upgraded.close();
  });

  it('a version-3 file reads read-only, byte for byte unchanged, and rises to 7 on a writable open', () => {
    // A real version-3 file in a folder of its own: the v3 schema, then the rows a v3 writer wrote.
    const { path, folder } = olderFile(dir, 'v5-a3', 3);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(3);
    check.close();
    const before = readFileSync(path);

    // Read-only: read (through an upgraded copy in memory), listed and verified; not written to.
    expect(loadTape(path, 'a').fingerprint).toBe(sampleTape('a', 3).fingerprint);
    expect(verifyTape(path)).toMatchObject({ ok: true, blobsChecked: 6 });
    const reader = openSqliteStore(path, { readonly: true });
    expect(reader.list().map((t) => t.id)).toEqual(['a']);
    expectRefusal(() => reader.save(sampleTape('b', 1)), 'TAPE_IO');
    reader.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(folder)).toEqual(['old.tape.db']);

    // Writable: upgraded in place (4 marks the trailer, 5 adds the bases, 6 keeps blobs in chunks,
    // 7 in packs).
    const store = openSqliteStore(path);
    const withTrailer = Tape.create({ id: 'trailer' });
    withTrailer.append({
      ...(exchange(1) as Extract<TapeEvent, { type: 'exchange' }>),
      issueIndex: 0,
      timing: { headersMs: 5, endMs: 7.5 },
    });
    store.save(withTrailer);
    expect(store.load('a').fingerprint).toBe(sampleTape('a', 3).fingerprint);
    store.close();
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(7);
    expect(SCHEMA_VERSION).toBe(7);
    const tables = after
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'blobs',
      'chunks',
      'events',
      'packs',
      'tape_bases',
      'tape_blobs',
      'tapes',
      'trace_meta',
    ]);
    after.close();
    const back = loadTape(path, 'trailer');
    expect(back.fingerprint).toBe(withTrailer.fingerprint);
    expect(back.events[0]).toMatchObject({ issueIndex: 0, timing: { headersMs: 5, endMs: 7.5 } });
  });

  it('a read-only open still refuses a file that needs a real upgrade (version 2), naming the step', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const db = new Database(path);
    db.exec('DROP TABLE tape_blobs');
    db.pragma('user_version = 2');
    db.close();
    const error = expectRefusal(() => loadTape(path), 'TAPE_UPGRADE_NEEDS_WRITE', path);
    expect(error.details).toMatchObject({ version: 2, supported: SCHEMA_VERSION });
  });

  it('an upgrade is one transaction: a file that cannot be upgraded whole is left as it was', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const db = new Database(path);
    db.exec('DROP TABLE tape_blobs');
    db.pragma('user_version = 2');
    // A table in the way of the upgrade, so that it fails part-way through.
    db.exec('CREATE TABLE tape_blobs_by_blob (x)');
    db.close();
    expect(() => openSqliteStore(path)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^TAPE_/) }),
    );
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE name = 'tape_blobs'").all();
    after.close();
    expect(tables).toEqual([]);
  });
});

describe('the blob reference index', () => {
  it('speeds reading but does not decide it: a tape whose references were lost still loads, and verify says what is lost', () => {
    const path = storePath(dir);
    saveTape(path, sampleTape());
    const db = new Database(path);
    const lost = db.prepare(
      'DELETE FROM tape_blobs WHERE blob_id IN (SELECT blob_id FROM tape_blobs ORDER BY blob_id LIMIT 3)',
    );
    expect(lost.run().changes).toBe(3);
    db.close();
    expect(loadTape(path).fingerprint).toBe(sampleTape().fingerprint);
    const report = verifyTape(path);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        kind: 'store-integrity',
        detail: expect.stringMatching(
          /^tape run-1 refers to 3 blob\(s\) its reference index lacks/,
        ),
      },
    ]);
  });
});
