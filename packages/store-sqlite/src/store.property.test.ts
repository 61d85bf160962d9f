import { Tape } from '@trace/tape';
import { arbitraryTapeEvents as tapeEvents } from '@trace/tape/conformance';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storePath, tempDir } from './__tests__/helpers.js';
import { DEFLATE } from './chunking/compression.js';
import { loadTape, openSqliteStore, saveTape, verifyTape } from './index.js';

// The round trip of any tape through a file (saved, closed, reopened) is a property of the
// conformance suite, which conformance.test.ts runs against this store.

const dir = tempDir();

function tapeOf(events: Parameters<Tape['append']>[0][], id?: string): Tape {
  const tape = Tape.create(id === undefined ? {} : { id });
  for (const event of events) tape.append(event);
  return tape;
}

describe('stored bytes', () => {
  it('any single-byte change to a stored pack, chunk list or event record fails verify and load, or changes no byte read', () => {
    fc.assert(
      fc.property(
        tapeEvents(),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (events, pickRow, pickByte, delta) => {
          const tape = tapeOf(events);
          const path = storePath(dir);
          saveTape(path, tape);
          const db = new Database(path);
          const cellsOf = (table: string, column: string, key: string, where = '') =>
            (
              db
                .prepare(
                  `SELECT ${key} AS rowid, length(${column}) AS n, ${table === 'packs' ? 'method' : '0'} AS method
                   FROM ${table} WHERE length(${column}) > 0 ${where}`,
                )
                .all() as { rowid: number; n: number; method: number }[]
            ).map((row) => ({ table, column, key, ...row }));
          const cells = [
            ...cellsOf('packs', 'data', 'id'),
            ...cellsOf('blobs', 'chunks', 'id', 'AND chunks IS NOT NULL'),
            ...cellsOf('events', 'record', 'seq'),
          ];
          fc.pre(cells.length > 0);
          const cell = cells[pickRow % cells.length] as (typeof cells)[number];
          const value = Buffer.from(
            (
              db
                .prepare(`SELECT ${cell.column} AS v FROM ${cell.table} WHERE ${cell.key} = ?`)
                .get(cell.rowid) as { v: Buffer }
            ).v,
          );
          const at = pickByte % value.length;
          value[at] = ((value[at] as number) + delta) & 0xff;
          db.prepare(`UPDATE ${cell.table} SET ${cell.column} = ? WHERE ${cell.key} = ?`).run(
            value,
            cell.rowid,
          );
          db.close();

          const report = verifyTape(path);
          // A deflated pack may decode to the same bytes after a change (the unused bits of its
          // last byte): nothing read changed, and the tape reads as it was recorded.
          if (report.ok && cell.table === 'packs' && cell.method === DEFLATE) {
            expect(loadTape(path).fingerprint).toBe(tape.fingerprint);
            return;
          }
          expect(report.ok).toBe(false);
          if (cell.table === 'events') {
            expect(report.problems).toContainEqual(
              expect.objectContaining({ tapeId: tape.id, seq: cell.rowid }),
            );
            expect(report.tapes[0]?.computedFingerprint).not.toBe(tape.fingerprint);
          } else {
            const kinds = report.problems.map((problem) => problem.kind);
            expect(
              kinds.some((kind) => kind === 'blob-tampered' || kind === 'chunk-tampered'),
            ).toBe(true);
          }
          // And loading the tape refuses it, whichever of its bytes was changed.
          expect(() => loadTape(path)).toThrow(
            expect.objectContaining({
              code: 'TAPE_DAMAGED',
              details: expect.objectContaining({ path }),
            }),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('identical bodies are stored once, across exchanges and across runs', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.integer({ min: 2, max: 6 }),
        (bytes, copies) => {
          const path = storePath(dir);
          const exchange = {
            type: 'exchange' as const,
            request: { method: 'POST', url: 'http://127.0.0.1/', headers: [], body: bytes },
            response: {
              status: 200,
              statusText: 'OK',
              headers: [],
              body: { kind: 'bytes' as const, bytes },
            },
          };
          const store = openSqliteStore(path);
          for (let run = 0; run < 2; run++)
            store.save(
              tapeOf(
                Array.from({ length: copies }, () => exchange),
                `run-${run}`,
              ),
            );
          store.close();
          const db = new Database(path, { readonly: true });
          const { n } = db.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number };
          db.close();
          expect(n).toBe(1);
        },
      ),
      { numRuns: 20 },
    );
  });
});
