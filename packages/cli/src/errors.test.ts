import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, inject, it } from 'vitest';
import { trace } from './__tests__/trace.js';

/** One line on stderr naming the code; no stack; nothing on stdout. */
function expectOneLine(run: ReturnType<typeof trace>, code: string, status: number) {
  expect(run.status).toBe(status);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^trace: .*\\[${code}\\]$`));
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('bad input gets one clear line and a non-zero exit', () => {
  const f = () => inject('fixtures');

  it('a missing file', () => {
    const run = trace(['ls', join(f().dir, 'nope.tape.db')]);
    expectOneLine(run, 'CLI_FILE_NOT_FOUND', 2);
    expect(run.stderr).toContain('nope.tape.db');
  });

  it('a file that is not SQLite', () => {
    const path = join(f().dir, 'notes.txt');
    writeFileSync(path, 'hello\n');
    expectOneLine(trace(['show', path]), 'TAPE_NOT_SQLITE', 2);
  });

  it('an SQLite file that is not a tape store', () => {
    // An empty file is what SQLite makes of a new database before any table: not a tape store.
    const path = join(f().dir, 'empty.db');
    writeFileSync(path, '');
    expectOneLine(trace(['ls', path]), 'TAPE_NOT_A_TAPE', 2);
  });

  it('a store written by a newer version', () => {
    const path = join(f().dir, 'newer.tape.db');
    copyFileSync(f().fixtureStore, path);
    const bytes = readFileSync(path);
    bytes.writeUInt32BE(99, 60); // SQLite's user_version, where the store keeps its format version
    writeFileSync(path, bytes);
    const run = trace(['ls', path]);
    expectOneLine(run, 'TAPE_VERSION_NEWER', 2);
  });

  it('an unknown tape id', () => {
    const run = trace(['show', f().fixtureStore, 'nope']);
    expectOneLine(run, 'TAPE_ID_NOT_FOUND', 2);
    expect(run.stderr).toContain('nope');
  });

  it('a corrupt tape: a body changed on disk is a problem found (exit 1), and verify says where', () => {
    const path = join(f().dir, 'corrupt.tape.db');
    copyFileSync(join(f().demo1, 'run.tape.db'), path);
    // A byte in the middle of every pack of recorded bytes changed in place.
    const db = new Database(path);
    const packs = db.prepare('SELECT id, data FROM packs').all() as { id: number; data: Buffer }[];
    for (const { id, data } of packs) {
      const middle = data.length >> 1;
      data.writeUInt8(data.readUInt8(middle) ^ 0xff, middle);
      db.prepare('UPDATE packs SET data = ? WHERE id = ?').run(data, id);
    }
    db.close();
    expect(packs.length).toBeGreaterThan(0);
    expectOneLine(trace(['show', path]), 'TAPE_DAMAGED', 1);
    const verify = trace(['verify', path, '--json']);
    expect(verify.status).toBe(1);
    const report = JSON.parse(verify.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p: { kind: string }) => p.kind)).toContain('blob-tampered');
  });

  it('an output file in a folder that is not there (dump -o, export -o)', () => {
    const target = join(f().dir, 'no-such-folder', 'out.jsonl');
    for (const command of ['dump', 'export']) {
      const run = trace([command, f().fixtureStore, '-o', target]);
      expectOneLine(run, 'CLI_FILE_NOT_FOUND', 2);
      expect(run.stderr).toContain('(ENOENT)');
    }
  });

  it('--debug shows the stack', () => {
    const run = trace(['show', f().fixtureStore, 'nope', '--debug']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^trace: .*\[TAPE_ID_NOT_FOUND\]\nTapeError: .*\n\s+at /);
  });
});
