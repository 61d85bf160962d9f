/**
 * Format 6: blobs kept in chunks, each stored once per store and compressed; a streamed body kept
 * whole. Identity and fingerprints do not change; what a tape costs on disk does.
 */
import { readFileSync } from 'node:fs';
import { Tape, TapeError, type TapeEvent } from '@trace/tape';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fixtureCopy, storePath, tempDir } from './__tests__/helpers.js';
import { forkOf, sampleTape, streamTape } from './__tests__/sample-tapes.mjs';
import { openSqliteStore } from './index.js';

const dir = tempDir();
const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function count(path: string, sql: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A chat of `turns` turns: every request sends the system prompt, the tools and every message again. */
function conversation(id: string, turns: number): { tape: Tape; unique: number } {
  const tape = Tape.create({ id });
  const system = 'You are a careful travel planner who checks the weather first. '.repeat(60);
  const tools = [{ name: 'get_weather', description: 'The weather in a city. '.repeat(40) }];
  const messages: unknown[] = [];
  let unique = system.length + JSON.stringify(tools).length;
  for (let turn = 0; turn < turns; turn++) {
    const user = `Turn ${turn}: plan day ${turn} in city ${turn * 7919} with ${'some detail '.repeat(40)}`;
    messages.push({ role: 'user', content: user });
    const body = JSON.stringify({ model: 'claude-x', max_tokens: 1024, system, tools, messages });
    const reply = `Day ${turn}: museum ${turn * 31} at ${turn}h, then a walk. ${'and more '.repeat(60)}`;
    messages.push({ role: 'assistant', content: reply });
    unique += user.length + reply.length;
    tape.append({
      type: 'exchange',
      request: {
        method: 'POST',
        url: 'http://127.0.0.1/v1/messages',
        headers: [],
        body: text(body),
      },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [],
        body: {
          kind: 'bytes',
          bytes: text(JSON.stringify({ content: [{ type: 'text', text: reply }] })),
        },
      },
    });
  }
  return { tape, unique };
}

describe('blobs in chunks', () => {
  it('keeps a conversation in about the bytes of what is new in it, each message once', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const { tape, unique } = conversation('chat', 30);
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
      count(path, 'SELECT sum(length(data)) FROM chunks') +
      count(path, 'SELECT sum(length(data)) FROM blobs');
    expect(whole / unique).toBeGreaterThan(10); // what whole-body storage would keep
    // Each message once (the system prompt compressed): under twice the new text, where whole
    // bodies are over ten times it. An assistant's text is kept twice: in its response, and in
    // the next request, whose message is serialised differently.
    expect(stored).toBeLessThan(2 * unique);
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
    store.save(conversation('chat', 6).tape);
    store.close();
    // Damage one chunk that several request bodies are made from: a message sent every turn.
    const db = new Database(path);
    // The largest chunk: the system prompt, in every request of the 6 turns.
    const chunk = db
      .prepare('SELECT id, digest, data FROM chunks ORDER BY size DESC LIMIT 1')
      .get() as {
      id: number;
      digest: Buffer;
      data: Buffer;
    };
    const users = 6;
    chunk.data.writeUInt8(chunk.data.readUInt8(3) ^ 0xff, 3);
    db.prepare('UPDATE chunks SET data = ? WHERE id = ?').run(chunk.data, chunk.id);
    db.close();

    const reader = openSqliteStore(path, { readonly: true });
    const report = reader.verify();
    expect(report.ok).toBe(false);
    const [problem] = report.problems.filter((p) => p.kind === 'chunk-tampered');
    expect(problem).toMatchObject({ kind: 'chunk-tampered', digest: chunk.digest.toString('hex') });
    if (problem?.kind !== 'chunk-tampered') throw new Error('no chunk problem');
    expect(users).toBeGreaterThan(1);
    expect(problem.blobs).toHaveLength(users);
    expect(problem.referencedBy.length).toBe(users);
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
    store.save(conversation('a', 8).tape);
    store.save(conversation('b', 12).tape); // begins with a's turns: shares their chunks
    const both = count(path, 'SELECT count(*) FROM chunks');
    store.delete('b');
    const alone = count(path, 'SELECT count(*) FROM chunks');
    expect(alone).toBeLessThan(both);
    expect(store.load('a').fingerprint).toBe(conversation('a', 8).tape.fingerprint);
    expect(store.verify().ok).toBe(true);
    store.delete('a');
    expect(count(path, 'SELECT count(*) FROM chunks')).toBe(0);
    expect(count(path, 'SELECT count(*) FROM blobs')).toBe(0);
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
    expect(count(path, 'PRAGMA user_version')).toBe(6);
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
      count(path, 'SELECT count(*) FROM chunks') + count(path, 'SELECT count(*) FROM blobs'),
    ).toBe(0);
  });
});
