/**
 * Formats 6 and 7: blobs kept in chunks, each stored once per store; what each write adds
 * compressed together as one pack; a streamed body kept whole. Identity and fingerprints do not
 * change; what a tape costs on disk does.
 */
import { readFileSync } from 'node:fs';
import { Tape, TapeError, type TapeEvent } from '@trace/tape';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fixtureCopy, storePath, tempDir } from './__tests__/helpers.js';
import { noise } from './__tests__/noise.js';
import {
  conversation,
  exchange,
  forkOf,
  formatSixTapes,
  sampleTape,
  streamTape,
} from './__tests__/sample-tapes.mjs';
import { vectorRequest } from './__tests__/vector-request.js';
import { DEFLATE, decompress, STORED } from './chunking/compression.js';
import { openSqliteStore } from './index.js';
import { BlobStore } from './sqlite/blob-store.js';
import { PACK_MAX } from './sqlite/packs.js';
import { migrate } from './sqlite/schema.js';

const dir = tempDir();

function count(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('blobs in chunks', () => {
  it('keeps a conversation in about the bytes of what is new in it, each message once', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const { tape, unique } = conversation(Tape, 'chat', 30);
    const recorder = store.record({ id: 'chat' });
    for (const event of tape.events) recorder.append(event);
    recorder.finish();
    expect(store.load('chat').fingerprint).toBe(tape.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
    const whole = tape.events.reduce(
      (n, e) => n + (e.type === 'exchange' ? (e.request.body?.length ?? 0) : 0),
      0,
    );
    const stored =
      count(path, 'SELECT sum(length(data)) FROM packs') +
      count(path, 'SELECT sum(length(chunks)) FROM blobs');
    expect(whole / unique).toBeGreaterThan(10); // what whole-body storage would keep
    // Each message once, compressed: under the new text, where whole bodies are over ten times
    // it (an assistant's text is kept twice: in its response, and in the next request, whose
    // message is serialised differently; each turn's are compressed together).
    expect(stored).toBeLessThan(unique);
  });

  it('a recording writes each append loose and joins a pack’s worth into one compressed pack', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const { tape } = conversation(Tape, 'chat', 80); // some 100 KB of new text: more than a pack's worth
    const recorder = store.record({ id: 'chat' });
    const packs = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT size, method FROM packs ORDER BY id').all() as {
          size: number;
          method: number;
        }[];
      } finally {
        db.close();
      }
    };
    recorder.append(tape.events[0] as TapeEvent);
    // The first turn's new bytes (the system prompt, the tools, a message, the reply): loose.
    expect(packs()).toEqual([{ size: expect.any(Number), method: STORED }]);
    for (const event of tape.events.slice(1)) recorder.append(event);
    // Joined as they came to a pack's worth: compressed, each under PACK_MAX, fewer than the
    // appends; what is still loose is the last few turns' bytes, under a pack's worth.
    const during = packs();
    const joined = during.filter((pack) => pack.method === DEFLATE);
    const loose = during.filter((pack) => pack.method === STORED);
    expect(joined.length).toBeGreaterThan(0);
    expect(during.length).toBeLessThan(tape.events.length);
    for (const pack of during) expect(pack.size).toBeLessThanOrEqual(PACK_MAX);
    expect(loose.reduce((n, pack) => n + pack.size, 0)).toBeLessThan(PACK_MAX);
    recorder.finish();
    // Finishing joins the rest: nothing loose is left.
    expect(packs().every((pack) => pack.method === DEFLATE)).toBe(true);
    expect(store.load('chat').fingerprint).toBe(tape.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
  });

  it('leaves loose the packs of bytes that do not compress: joining them would save nothing', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const tape = Tape.create({ id: 'noise' });
    // 40 exchanges of 4 KiB of noise each way: some 320 KiB, five packs' worth.
    for (let i = 0; i < 40; i++) {
      tape.append({
        type: 'exchange',
        request: {
          method: 'PUT',
          url: 'http://127.0.0.1/b',
          headers: [],
          body: noise(4096, i + 1),
        },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [],
          body: { kind: 'bytes', bytes: noise(4096, i + 1001) },
        },
      });
    }
    const recorder = store.record({ id: 'noise' });
    for (const event of tape.events) recorder.append(event);
    recorder.finish();
    expect(count(path, 'SELECT count(*) FROM packs')).toBe(40);
    expect(count(path, 'SELECT count(*) FROM packs WHERE method = 0')).toBe(40);
    expect(store.load('noise').fingerprint).toBe(tape.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
  });

  it('an append rolled back after writing loose packs leaves the recording’s packs as they were', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const { tape } = conversation(Tape, 'chat', 80);
    const recorder = store.record({ id: 'chat' });
    // Joining packs fails for a while (a trigger refuses the joined pack): each append that
    // comes to a pack's worth writes its blobs, its row and a loose pack, then fails to join
    // them, and is rolled back whole.
    const db = new Database(path);
    db.exec(`CREATE TRIGGER refuse_joins BEFORE UPDATE ON packs
             BEGIN SELECT RAISE(ABORT, 'no joining now'); END`);
    let refused = 0;
    let next = 0;
    while (refused < 3 && next < tape.events.length) {
      try {
        recorder.append(tape.events[next] as TapeEvent);
        next++;
      } catch {
        refused++; // the recorder stays where it was: the same event is appended again below
      }
    }
    expect(refused).toBe(3);
    db.exec('DROP TRIGGER refuse_joins');
    db.close();
    for (const event of tape.events.slice(next)) recorder.append(event);
    recorder.finish();
    expect(store.load('chat').fingerprint).toBe(tape.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
  });

  it('keeps a stream as one blob, not a blob per chunk, and reads every chunk back exactly', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const tape = streamTape(Tape);
    store.save(tape);
    const back = store.load('streams');
    expect(back.fingerprint).toBe(tape.fingerprint);
    expect(back.events).toEqual(tape.events);
    store.close();
    // 3 streams (not 18 chunks, 3 of them alike), 3 request bodies, the last exchange's 2 bodies.
    expect(count(path, 'SELECT count(*) FROM blobs')).toBe(3 + 3 + 2);
    expect(count(path, 'SELECT count(*) FROM events WHERE stream IS NOT NULL')).toBe(3);
  });

  it('verify locates a damaged chunk: the blobs made from it, the events that use them', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    store.save(conversation(Tape, 'chat', 6).tape);
    store.close();
    // Damage the pack of the first turn, which holds the system prompt's chunk: a chunk every
    // request of the 6 turns is made from.
    const db = new Database(path);
    const system = db
      .prepare('SELECT digest, pack FROM chunks ORDER BY size DESC LIMIT 1')
      .get() as { digest: Buffer; pack: number };
    const pack = db
      .prepare('SELECT data FROM packs WHERE id = ?')
      .pluck()
      .get(system.pack) as Buffer;
    pack.writeUInt8(pack.readUInt8(3) ^ 0xff, 3);
    db.prepare('UPDATE packs SET data = ? WHERE id = ?').run(pack, system.pack);
    db.close();

    const reader = openSqliteStore(path, { readonly: true });
    const report = reader.verify();
    expect(report.ok).toBe(false);
    const problem = report.problems.find(
      (p) => p.kind === 'chunk-tampered' && p.digest === system.digest.toString('hex'),
    );
    if (problem?.kind !== 'chunk-tampered') throw new Error('the system prompt is not reported');
    const turns = 6;
    expect(problem.blobs).toHaveLength(turns);
    expect(problem.referencedBy).toHaveLength(turns);
    expect(problem.referencedBy.every((ref) => ref.tapeId === 'chat')).toBe(true);
    let thrown: unknown;
    try {
      reader.load('chat');
    } catch (error) {
      thrown = error;
    }
    expect(TapeError.isInstance(thrown) && thrown.code).toBe('TAPE_DAMAGED');
    reader.close();
  });

  it('collects the chunks no blob is made from once their tapes are deleted', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    store.save(conversation(Tape, 'a', 8).tape);
    store.save(conversation(Tape, 'b', 12).tape); // begins with a's turns: shares their chunks
    const both = count(path, 'SELECT count(*) FROM chunks');
    const packs = count(path, 'SELECT count(*) FROM packs');
    store.delete('b');
    expect(count(path, 'SELECT count(*) FROM chunks')).toBeLessThan(both);
    // b's last four turns were its own: the packs they filled go with it, leaving a's alone.
    const aloneFile = storePath(dir);
    const alone = openSqliteStore(aloneFile);
    alone.save(conversation(Tape, 'a', 8).tape);
    alone.close();
    expect(count(path, 'SELECT count(*) FROM packs')).toBeLessThan(packs);
    expect(count(path, 'SELECT count(*) FROM packs')).toBe(
      count(aloneFile, 'SELECT count(*) FROM packs'),
    );
    expect(store.load('a').fingerprint).toBe(conversation(Tape, 'a', 8).tape.fingerprint);
    expect(store.verify().ok).toBe(true);
    store.delete('a');
    expect(count(path, 'SELECT count(*) FROM chunks')).toBe(0);
    expect(count(path, 'SELECT count(*) FROM blobs')).toBe(0);
    expect(count(path, 'SELECT count(*) FROM packs')).toBe(0);
    store.close();
  });
});

describe('a store of format 5 (committed, written by the release before)', () => {
  const expected = () => {
    const streams = streamTape(Tape);
    return [sampleTape(Tape, 'plain', 3), streams, forkOf(Tape, 'fork', streams, 2)] as Tape[];
  };

  it('reads read-only through an upgraded copy, the file untouched, every fingerprint the same', () => {
    const path = fixtureCopy(dir, 'v5-mixed');
    const before = readFileSync(path);
    const reader = openSqliteStore(path, { readonly: true });
    for (const tape of expected()) {
      const back = reader.load(tape.id);
      expect(back.fingerprint).toBe(tape.fingerprint);
      expect(back.events).toEqual(tape.events as TapeEvent[]);
    }
    expect(reader.verify().ok).toBe(true);
    reader.close();
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('is upgraded in place on a writable open: same tapes, streams kept whole, the fork still on its base', () => {
    const path = fixtureCopy(dir, 'v5-mixed');
    const store = openSqliteStore(path);
    for (const tape of expected()) expect(store.load(tape.id).fingerprint).toBe(tape.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true, problems: [] });
    store.close();
    expect(count(path, 'PRAGMA user_version')).toBe(7);
    expect(count(path, 'SELECT count(*) FROM events WHERE stream IS NOT NULL')).toBe(3);
    expect(count(path, "SELECT events FROM tape_bases WHERE tape_id = 'fork'")).toBe(2);
    // Deleting in any order keeps the others whole and leaves nothing behind.
    const reopened = openSqliteStore(path);
    for (const id of ['streams', 'plain', 'fork']) {
      reopened.delete(id);
      expect(reopened.verify().ok).toBe(true);
    }
    reopened.close();
    expect(
      count(path, 'SELECT count(*) FROM chunks') +
        count(path, 'SELECT count(*) FROM blobs') +
        count(path, 'SELECT count(*) FROM packs'),
    ).toBe(0);
  });
});

describe('a store of format 6 (committed, written by the release before)', () => {
  const expected = () => formatSixTapes(Tape).map(([tape]) => tape);

  it('reads read-only through an upgraded copy, the file untouched, every fingerprint the same', () => {
    const path = fixtureCopy(dir, 'v6-mixed');
    const before = readFileSync(path);
    const reader = openSqliteStore(path, { readonly: true });
    for (const tape of expected()) {
      const back = reader.load(tape.id);
      expect(back.fingerprint).toBe(tape.fingerprint);
      expect(back.events).toEqual(tape.events as TapeEvent[]);
    }
    expect(reader.verify()).toMatchObject({ ok: true, problems: [] });
    reader.close();
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('is upgraded in place: every blob under the id it had, its bytes in packs, the forks on their bases', () => {
    const path = fixtureCopy(dir, 'v6-mixed');
    const ids = (sql: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(sql).raw().all();
      } finally {
        db.close();
      }
    };
    const blobIds = ids('SELECT id, digest FROM blobs ORDER BY id');
    const streams = ids('SELECT tape_id, seq, stream FROM events WHERE stream IS NOT NULL');
    const references = ids('SELECT * FROM tape_blobs ORDER BY tape_id, blob_id');
    const store = openSqliteStore(path);
    for (const tape of expected()) expect(store.load(tape.id).fingerprint).toBe(tape.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true, problems: [] });
    store.close();
    expect(count(path, 'PRAGMA user_version')).toBe(7);
    expect(ids('SELECT id, digest FROM blobs ORDER BY id')).toEqual(blobIds);
    expect(ids('SELECT tape_id, seq, stream FROM events WHERE stream IS NOT NULL')).toEqual(
      streams,
    );
    expect(ids('SELECT * FROM tape_blobs ORDER BY tape_id, blob_id')).toEqual(references);
    expect(count(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v6'")).toBe(0);
    // The upgrade fills packs as a save does: the whole file's new bytes in a pack or two.
    expect(count(path, 'SELECT count(*) FROM packs')).toBeLessThanOrEqual(2);
    expect(count(path, "SELECT events FROM tape_bases WHERE tape_id = 'chat-fork'")).toBe(6);
    // Deleting in any order keeps the others whole and leaves nothing behind.
    const reopened = openSqliteStore(path);
    for (const id of ['chat', 'streams', 'plain', 'long', 'fork', 'chat-fork']) {
      reopened.delete(id);
      expect(reopened.verify().ok).toBe(true);
    }
    reopened.close();
    for (const table of ['chunks', 'blobs', 'packs'])
      expect(count(path, `SELECT count(*) FROM ${table}`)).toBe(0);
  });

  it('keeps a damaged blob damaged through the upgrade, and says where', () => {
    const path = fixtureCopy(dir, 'v6-mixed');
    // One byte of the deflated chunk (the chat's system prompt) changed: it no longer inflates.
    const db = new Database(path);
    const chunk = db.prepare('SELECT id, data FROM chunks WHERE method = 1').get() as {
      id: number;
      data: Buffer;
    };
    chunk.data.writeUInt8(chunk.data.readUInt8(5) ^ 0xff, 5);
    db.prepare('UPDATE chunks SET data = ? WHERE id = ?').run(chunk.data, chunk.id);
    db.close();
    const store = openSqliteStore(path);
    const report = store.verify();
    expect(report.ok).toBe(false);
    const damaged = report.problems.filter((p) => p.kind === 'blob-tampered');
    // Every request of the chat (12) is made with the system prompt; the fork shares them.
    expect(damaged).toHaveLength(12);
    expect(() => store.load('chat')).toThrow(expect.objectContaining({ code: 'TAPE_DAMAGED' }));
    // The other tapes read as they were.
    expect(store.load('plain').fingerprint).toBe(sampleTape(Tape, 'plain', 3).fingerprint);
    store.close();
  });
});

describe('the layout vector of docs/tape-format.md', () => {
  it('keeps the example request, the one blob of a new store, as the format says', () => {
    const db = new Database(':memory:');
    migrate(db, 0);
    const request = vectorRequest();
    const blobs = new BlobStore(db).batch();
    const id = blobs.put(request);
    blobs.finish();
    expect(db.prepare('SELECT pack, offset, chunks FROM blobs WHERE id = ?').get(id)).toEqual({
      pack: null,
      offset: null,
      chunks: Buffer.from([1, 2, 3, 4, 5, 6]),
    });
    expect(db.prepare('SELECT id, pack, offset, size FROM chunks ORDER BY id').raw().all()).toEqual(
      [0, 343, 513, 577, 692, 813].map((offset, i, all) => [
        i + 1,
        1,
        offset,
        (all[i + 1] ?? 815) - offset,
      ]),
    );
    const pack = db.prepare('SELECT id, size, method, data FROM packs').get() as {
      id: number;
      size: number;
      method: number;
      data: Buffer;
    };
    expect(pack).toMatchObject({ id: 1, size: 815, method: DEFLATE });
    expect(decompress(pack.method, pack.data, pack.size)).toEqual(Buffer.from(request));
    db.close();
  });
});

describe('a recording and the bytes it was given', () => {
  const body = (fill: string) => new Uint8Array(Buffer.from(fill.repeat(9000), 'utf8'));
  const exchangeOf = (request: Uint8Array): TapeEvent => ({
    type: 'exchange',
    request: { method: 'POST', url: 'http://127.0.0.1/v1/messages', headers: [], body: request },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [],
      body: { kind: 'bytes', bytes: new Uint8Array(Buffer.from('{"ok":true}')) },
    },
  });

  it('keeps what an append was given, whatever the caller does with its buffer afterwards', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const expected = Tape.create({ id: 'reused' });
    const recorder = store.record({ id: 'reused' });
    // One buffer the caller fills again for each request, as a pooled client might: a loose pack
    // (joined at the finish) and the chunks compared with the next request's must be copies.
    const buffer = body('a day in Lisbon, ');
    for (const fill of ['a day in Lisbon, ', 'a night in Porto, ', 'a week in Faro, ']) {
      buffer.set(body(fill).subarray(0, buffer.length));
      expected.append(exchangeOf(buffer.slice()));
      recorder.append(exchangeOf(buffer));
    }
    buffer.fill(0x41);
    recorder.finish();
    expect(store.load('reused').fingerprint).toBe(expected.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
  });

  it('a recorder whose tape was deleted and recorded again under its id is refused, and harms neither', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const stale = store.record({ id: 'x' });
    stale.append(exchangeOf(body('the first recording, ')));
    store.delete('x');
    // Recorded again under the same id, with as many events: its loose pack takes the old id.
    const again = store.record({ id: 'x' });
    const event = exchangeOf(body('the second recording, '));
    again.append(event);
    expect(() => stale.finish()).toThrow(expect.objectContaining({ code: 'TAPE_ID_NOT_FOUND' }));
    expect(() => stale.append(event)).toThrow(
      expect.objectContaining({ code: 'TAPE_ID_NOT_FOUND' }),
    );
    again.finish();
    const expected = Tape.create({ id: 'x' });
    expected.append(event);
    expect(store.load('x').fingerprint).toBe(expected.fingerprint);
    expect(store.verify()).toMatchObject({ ok: true });
    store.close();
  });
});

describe('damaged rows of format 7', () => {
  const leb = (ids: number[]) => {
    const out: number[] = [];
    for (let id of ids) {
      while (id >= 0x80) {
        out.push((id % 0x80) | 0x80);
        id = Math.floor(id / 0x80);
      }
      out.push(id);
    }
    return Buffer.from(out).toString('hex');
  };
  const cases: Record<string, string> = {
    'a chunk of negative size': 'UPDATE chunks SET size = -100 WHERE id = 2',
    'a chunk at a negative offset': 'UPDATE chunks SET offset = -50 WHERE id = 2',
    'an inline blob at a negative offset': 'UPDATE blobs SET offset = -3 WHERE chunks IS NULL',
    'an inline blob at a fractional offset': 'UPDATE blobs SET offset = 1.5 WHERE chunks IS NULL',
    'a chunk list naming chunk 2^45': `UPDATE blobs SET chunks = x'${leb([1, 2 ** 45])}' WHERE chunks IS NOT NULL`,
    'a chunk list naming chunk 300,000,000': `UPDATE blobs SET chunks = x'${leb([1, 3e8])}' WHERE chunks IS NOT NULL`,
    'a chunk list that never ends': `UPDATE blobs SET chunks = x'${'ff'.repeat(20)}' WHERE chunks IS NOT NULL`,
    'a blob of a size it does not have':
      'UPDATE blobs SET size = 1099511627776 WHERE chunks IS NOT NULL',
    'a pack of a size it does not have': 'UPDATE packs SET size = 1099511627776',
  };

  for (const [name, sql] of Object.entries(cases)) {
    it(`${name}: load refuses the tape as TAPE_DAMAGED, verify reports it, neither throws anything else`, () => {
      const path = storePath(dir);
      const saved = openSqliteStore(path);
      // Blobs in chunks (the requests) and inline (the short bodies of a last exchange).
      const { tape } = conversation(Tape, 'chat', 4);
      tape.append(exchange(1));
      saved.save(tape);
      saved.close();
      const db = new Database(path);
      expect(db.prepare(sql).run().changes).toBeGreaterThan(0);
      db.close();
      const store = openSqliteStore(path, { readonly: true });
      expect(() => store.load('chat')).toThrow(expect.objectContaining({ code: 'TAPE_DAMAGED' }));
      expect(store.verify().ok).toBe(false);
      store.close();
    });
  }
});
