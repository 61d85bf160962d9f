/**
 * `verify` tells the truth: it finds what `load` would trip on (a damaged index), what the store
 * keeps beside the events (counts, metadata), and reads one snapshot while others append.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TapeError } from '@trace/tape';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { eventAt } from './__tests__/crash-events.mjs';
import { storePath, tempDir } from './__tests__/helpers.js';
import { openSqliteStore, verifyTape } from './index.js';

const dir = tempDir('trace-store-sqlite-verify-');

/** A closed store holding one finished tape `t` of `n` events. */
function storeWith(n = 12): string {
  const path = storePath(dir);
  const store = openSqliteStore(path);
  const recorder = store.record({ id: 't' });
  for (let i = 0; i < n; i++) recorder.append(eventAt(i));
  recorder.finish();
  store.close();
  return path;
}

/** Changes the store with SQL behind its back, as a hand edit would. */
function edit(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

describe('verify', () => {
  it('finds a damaged blob digest index, which the quick check misses', () => {
    const path = storeWith();
    const db = new Database(path, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db
      .prepare("SELECT pageno FROM dbstat WHERE name = 'sqlite_autoindex_blobs_1'")
      .all() as { pageno: number }[];
    const digest = (db.prepare('SELECT digest FROM blobs LIMIT 1').get() as { digest: Buffer })
      .digest;
    db.close();
    // Flip one byte of that digest inside the index's own pages: the table still holds it right.
    const bytes = readFileSync(path);
    let flipped = false;
    for (const { pageno } of pages) {
      const page = bytes.subarray((pageno - 1) * pageSize, pageno * pageSize);
      const at = page.indexOf(digest);
      if (at >= 0) {
        page[at + 5] = (page[at + 5] as number) ^ 0xff;
        flipped = true;
        break;
      }
    }
    expect(flipped).toBe(true);
    writeFileSync(path, bytes);

    const quick = new Database(path, { readonly: true });
    expect(quick.pragma('quick_check', { simple: true })).toBe('ok');
    quick.close();
    const report = verifyTape(path);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ kind: 'store-integrity' });
  });

  it('reports metadata that is not a tape’s, which load refuses as TAPE_DAMAGED (not a SyntaxError)', () => {
    for (const metadata of ['{not json', '[1,2]', '{"recorder":{}}']) {
      const path = storeWith();
      edit(path, `UPDATE tapes SET metadata = '${metadata}'`);
      expect(verifyTape(path).problems).toEqual([
        { kind: 'tape-summary', tapeId: 't', detail: expect.stringMatching(/^its metadata /) },
      ]);
      const store = openSqliteStore(path, { readonly: true });
      const error = (() => {
        try {
          store.load('t');
        } catch (e) {
          return e;
        }
      })();
      store.close();
      expect(TapeError.isInstance(error) && error.code).toBe('TAPE_DAMAGED');
      expect((error as Error).message).toContain('Run `verify`');
    }
  });

  it('reports stored counts that disagree with the events', () => {
    const path = storeWith(12);
    edit(path, 'UPDATE tapes SET draw_count = 999');
    expect(verifyTape(path).problems).toEqual([
      {
        kind: 'tape-summary',
        tapeId: 't',
        detail: 'the stored counts say 999 draw; its events hold 3 draw',
      },
    ]);
  });

  it('reads one snapshot while another process appends: never a problem on an undamaged store', async () => {
    const path = storePath(dir);
    openSqliteStore(path).close();
    const child = fileURLToPath(new URL('./__tests__/appender.mjs', import.meta.url));
    // stdin piped: the appender stops when this process goes away, whatever happens to the test.
    const proc = spawn(process.execPath, [child, path], { stdio: ['pipe', 'pipe', 'pipe'] });
    await once(proc.stdout, 'data');
    const reports = [];
    let eventsRead = 0;
    try {
      for (let i = 0; i < 40; i++) {
        const report = verifyTape(path);
        reports.push(report.ok ? 'ok' : JSON.stringify(report.problems.slice(0, 2)));
        eventsRead = report.tapes.reduce((n, tape) => n + tape.eventCount, 0);
      }
    } finally {
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    }
    expect(reports.filter((r) => r !== 'ok')).toEqual([]);
    // It did read a growing store (counted while the appender ran: once it is killed, a reader
    // may find a transaction it left to roll back, which only a writable open does).
    expect(eventsRead).toBeGreaterThan(0);
  });
});
