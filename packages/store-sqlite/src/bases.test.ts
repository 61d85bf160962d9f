/**
 * Tapes on a base (format 5): a fork keeps only the events after those it shares with its
 * parent, and stays whole whatever happens to the parent.
 */
import { readFileSync } from 'node:fs';
import { Tape, TapeError } from '@trace/tape';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { olderFile, storePath, tempDir } from './__tests__/helpers.js';
import { exchange, run as sampleRun } from './__tests__/sample-tapes.mjs';
import { openSqliteStore, type SqliteTapeStore } from './index.js';

const dir = tempDir();
/** A run of `n` exchanges, each with bodies of its own. */
const run = (id: string, n: number): Tape => sampleRun(Tape, id, n);

/** `parent`'s first `k` events, then a different answer at k, then the rest re-asked. */
function fork(id: string, parent: Tape, k: number): Tape {
  const tape = Tape.create({ id });
  for (const event of parent.events.slice(0, k)) tape.append(event);
  for (let i = k; i < parent.events.length; i++) tape.append(exchange(i, 'forked'));
  return tape;
}

/** Rows in `events` per tape, and the base each tape is on. */
function layout(path: string): { rows: Record<string, number>; bases: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    const rows = Object.fromEntries(
      (
        db.prepare('SELECT tape_id, count(*) AS n FROM events GROUP BY tape_id').all() as {
          tape_id: string;
          n: number;
        }[]
      ).map((row) => [row.tape_id, row.n]),
    );
    const bases = db.prepare('SELECT * FROM tape_bases ORDER BY tape_id').all();
    return { rows, bases };
  } finally {
    db.close();
  }
}

function expectWhole(store: SqliteTapeStore, ...tapes: Tape[]): void {
  for (const tape of tapes) expect(store.load(tape.id).fingerprint).toBe(tape.fingerprint);
  const report = store.verify();
  expect(report.problems).toEqual([]);
}

describe('a tape saved on a base', () => {
  it('keeps rows only for the events after those it shares: a fork at k of n adds n − k rows', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const parent = run('parent', 100);
    store.save(parent);
    const forks = [1, 50, 99].map((k) => fork(`at-${k}`, parent, k));
    for (const tape of forks) expect(store.save(tape, { base: 'parent' }).created).toBe(true);
    expectWhole(store, parent, ...forks);
    store.close();
    expect(layout(path)).toEqual({
      rows: { parent: 100, 'at-1': 99, 'at-50': 50, 'at-99': 1 },
      bases: [
        { tape_id: 'at-1', base_id: 'parent', events: 1 },
        { tape_id: 'at-50', base_id: 'parent', events: 50 },
        { tape_id: 'at-99', base_id: 'parent', events: 99 },
      ],
    });
  });

  it('shares what it really shares with the base, whatever the base is said to be', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const parent = run('parent', 6);
    store.save(parent);
    const stranger = Tape.create({ id: 'stranger' });
    stranger.append(exchange(0, 'other'));
    stranger.append(exchange(1));
    const longer = run('longer', 9); // begins with all of the parent, then goes on
    const same = run('same', 6);
    store.save(stranger, { base: 'parent' }); // shares nothing: no base
    store.save(longer, { base: 'parent' });
    store.save(same, { base: 'parent' }); // every event shared: no row of its own
    store.save(run('no-base', 2), { base: 'missing' });
    expectWhole(store, parent, stranger, longer, same);
    store.close();
    expect(layout(path)).toEqual({
      rows: { parent: 6, stranger: 2, longer: 3, 'no-base': 2 },
      bases: [
        { tape_id: 'longer', base_id: 'parent', events: 6 },
        { tape_id: 'same', base_id: 'parent', events: 6 },
      ],
    });
  });

  it('refers to a blob its own events name even when the shared part stored it first', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const parent = run('parent', 3);
    store.save(parent);
    const repeat = Tape.create({ id: 'repeat' });
    for (const event of parent.events) repeat.append(event);
    repeat.append(exchange(0)); // the bodies of event 0 again, in a row of its own
    store.save(repeat, { base: 'parent' });
    store.delete('parent');
    expectWhole(store, repeat);
    store.close();
  });

  it('takes over its shared events when the base is deleted, and a fork of a fork moves down a level', () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const root = run('root', 10);
    const child = fork('child', root, 6);
    const grandchild = fork('grandchild', child, 4); // shares 4 events, all kept in root's rows
    const deep = Tape.create({ id: 'deep' }); // shares 8 of child's: 6 in root's rows, 2 in child's
    for (const event of child.events.slice(0, 8)) deep.append(event);
    deep.append(exchange(42));
    store.save(root);
    store.save(child, { base: 'root' });
    store.save(grandchild, { base: 'child' });
    store.save(deep, { base: 'child' });
    expect(layout(path).bases).toEqual([
      { tape_id: 'child', base_id: 'root', events: 6 },
      { tape_id: 'deep', base_id: 'child', events: 8 },
      { tape_id: 'grandchild', base_id: 'child', events: 4 },
    ]);

    store.delete('child');
    expectWhole(store, root, grandchild, deep);
    expect(layout(path)).toEqual({
      rows: { root: 10, grandchild: 6, deep: 3 },
      bases: [
        { tape_id: 'deep', base_id: 'root', events: 6 },
        { tape_id: 'grandchild', base_id: 'root', events: 4 },
      ],
    });

    store.delete('root');
    expectWhole(store, grandchild, deep);
    expect(layout(path)).toEqual({ rows: { grandchild: 10, deep: 9 }, bases: [] });
    store.delete('grandchild');
    store.delete('deep');
    expect(store.verify()).toMatchObject({ ok: true, blobsChecked: 0 });
    store.close();
  });

  it('stays whole when its base is re-recorded with replace', async () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const parent = run('parent', 5);
    const child = fork('child', parent, 3);
    store.save(parent);
    store.save(child, { base: 'parent' });
    const again = store.record({ id: 'parent', replace: true });
    await again.append(exchange(7, 'new'));
    await again.finish();
    expect(store.load('parent').events).toHaveLength(1);
    expectWhole(store, child);
    expect(layout(path).bases).toEqual([]);
    store.close();
  });

  it("is damaged where its base's shared rows are damaged, and verify says so for both", () => {
    const path = storePath(dir);
    const store = openSqliteStore(path);
    const parent = run('parent', 5);
    store.save(parent);
    store.save(fork('child', parent, 4), { base: 'parent' });
    store.close();
    const db = new Database(path);
    const record = db
      .prepare("SELECT record FROM events WHERE tape_id = 'parent' AND seq = 2")
      .pluck()
      .get() as Buffer;
    record.writeUInt8(record.readUInt8(record.length - 1) ^ 1, record.length - 1);
    db.prepare("UPDATE events SET record = ? WHERE tape_id = 'parent' AND seq = 2").run(record);
    db.close();

    const reader = openSqliteStore(path, { readonly: true });
    let thrown: unknown;
    try {
      reader.load('child');
    } catch (error) {
      thrown = error;
    }
    expect(TapeError.isInstance(thrown) && thrown.code).toBe('TAPE_DAMAGED');
    const tampered = reader
      .verify()
      .problems.filter((problem) => problem.kind === 'event-tampered')
      .map((problem) => ('tapeId' in problem ? `${problem.tapeId}@${problem.seq}` : ''));
    expect(tampered).toEqual(['parent@2', 'child@2']);
    reader.close();
  });
});

describe('upgrading to format 5 and on', () => {
  /** A real version-4 file holding run('parent', 4). */
  const version4File = () => olderFile(dir, 'v5-parent4', 4).path;

  it('reads a version-4 file read-only as it is, byte for byte, and upgrades it on a writable open', () => {
    const path = version4File();
    const before = readFileSync(path);
    const reader = openSqliteStore(path, { readonly: true });
    expect(reader.load('parent').fingerprint).toBe(run('parent', 4).fingerprint);
    expect(reader.verify().ok).toBe(true);
    reader.close();
    expect(readFileSync(path).equals(before)).toBe(true);

    const store = openSqliteStore(path);
    const child = fork('child', run('parent', 4), 2);
    store.save(child, { base: 'parent' });
    expectWhole(store, run('parent', 4), child);
    store.close();
    expect(layout(path).bases).toEqual([{ tape_id: 'child', base_id: 'parent', events: 2 }]);
  });

  it('a reader opened read-only on a version-4 file reads it as it was when opened', () => {
    const path = version4File();
    const reader = openSqliteStore(path, { readonly: true });
    expect(reader.list().map((tape) => tape.id)).toEqual(['parent']);
    // A writer upgrades the file meanwhile and saves a fork on the parent.
    const writer = openSqliteStore(path);
    const child = fork('child', run('parent', 4), 3);
    writer.save(child, { base: 'parent' });
    writer.close();
    // The reader holds an upgraded copy made at its open: the parent whole, the fork not yet.
    expect(reader.load('parent').fingerprint).toBe(run('parent', 4).fingerprint);
    expect(reader.has('child')).toBe(false);
    reader.close();
    const again = openSqliteStore(path, { readonly: true });
    expect(again.load('child').fingerprint).toBe(child.fingerprint);
    again.close();
  });
});
