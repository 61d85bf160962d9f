import { Tape } from '@trace/tape';
import { arbitraryTapeEvents as tapeEvents } from '@trace/tape/conformance';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storePath, tempDir } from './__tests__/helpers.js';
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
  it('any single-byte change to any stored blob or event record changes the fingerprint or fails verify', () => {
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
          const cells = [
            ...db
              .prepare('SELECT id AS rowid, length(data) AS n FROM blobs WHERE length(data) > 0')
              .all()
              .map((r) => ({
                table: 'blobs',
                column: 'data',
                key: 'id',
                ...(r as { rowid: number; n: number }),
              })),
            ...db
              .prepare('SELECT seq AS rowid, length(record) AS n FROM events')
              .all()
              .map((r) => ({
                table: 'events',
                column: 'record',
                key: 'seq',
                ...(r as { rowid: number; n: number }),
              })),
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
          expect(report.ok).toBe(false);
          const problem = report.problems[0];
          if (cell.table === 'blobs') {
            expect(problem?.kind).toBe('blob-tampered');
          } else {
            expect(report.problems).toContainEqual(
              expect.objectContaining({ tapeId: tape.id, seq: cell.rowid }),
            );
            expect(report.tapes[0]?.computedFingerprint).not.toBe(tape.fingerprint);
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
      { numRuns: 60 },
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
