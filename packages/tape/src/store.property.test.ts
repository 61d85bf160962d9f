import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tapeEvent, tapeEvents } from './__tests__/arbitraries.js';
import { storePath, tempDir } from './__tests__/helpers.js';
import { fingerprintEvents, loadTape, openStore, saveTape, Tape, verifyTape } from './index.js';

const dir = tempDir();

function tapeOf(events: Parameters<Tape['append']>[0][], id?: string): Tape {
  const tape = Tape.create(id === undefined ? {} : { id });
  for (const event of events) tape.append(event);
  return tape;
}

describe('save → reopen', () => {
  it('is the identity and keeps the fingerprint, through save and through a recorder', () => {
    fc.assert(
      fc.property(tapeEvents(true), (events) => {
        const tape = tapeOf(events);
        const path = storePath(dir);
        saveTape(path, tape);
        const reopened = loadTape(path);
        expect(comparable(reopened.events)).toEqual(comparable(tape.events));
        expect(reopened.fingerprint).toBe(tape.fingerprint);
        expect(fingerprintEvents(events)).toBe(tape.fingerprint);
        expect(reopened.metadata).toEqual(tape.metadata);
        expect(reopened.id).toBe(tape.id);

        const store = openStore(path);
        const recorder = store.record({ id: 'recorded' });
        for (const event of events) recorder.append(event);
        recorder.finish();
        expect(recorder.fingerprint).toBe(tape.fingerprint);
        expect(comparable(store.load('recorded').events)).toEqual(comparable(tape.events));
        store.close();
      }),
      { numRuns: 40 },
    );
  });

  it('the events read back equal the events given (modulo normalised -0)', () => {
    fc.assert(
      fc.property(tapeEvents(), (events) => {
        const tape = tapeOf(events);
        expect(JSON.parse(JSON.stringify(tape.events, bytesAsArrays))).toEqual(
          JSON.parse(JSON.stringify(events, bytesAsArrays)),
        );
      }),
    );
  });
});

describe('fingerprint', () => {
  it('changes when any single byte of any body, chunk or header changes', () => {
    fc.assert(
      fc.property(
        tapeEvents(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (events, pick, delta) => {
          const tape = tapeOf(events);
          const places = byteHoldersOf(tape.events);
          fc.pre(places.length > 0);
          const target = places[pick % places.length] as Uint8Array;
          const mutated = structuredClone(tape.events.map((e) => e)) as typeof events;
          const mutatedPlaces = byteHoldersOf(mutated);
          const copy = mutatedPlaces[pick % places.length] as Uint8Array;
          expect(copy).toEqual(target);
          copy[pick % copy.length] = ((copy[pick % copy.length] as number) + delta) & 0xff;
          expect(tapeOf(mutated).fingerprint).not.toBe(tape.fingerprint);
        },
      ),
    );
  });

  it('depends on the order of events, and on the key order of JSON objects', () => {
    fc.assert(
      fc.property(tapeEvent(), tapeEvent(), (a, b) => {
        fc.pre(tapeOf([a]).fingerprint !== tapeOf([b]).fingerprint);
        expect(tapeOf([a, b]).fingerprint).not.toBe(tapeOf([b, a]).fingerprint);
      }),
    );
    const one = tapeOf([{ type: 'annotation', data: { x: 1, y: [true, null] } }]);
    const other = tapeOf([{ type: 'annotation', data: { y: [true, null], x: 1 } }]);
    // Key order is part of a value as the code replaying it sees it, so it is part of the identity.
    expect(one.fingerprint).not.toBe(other.fingerprint);
    expect(Object.keys((other.events[0] as { data: object }).data)).toEqual(['y', 'x']);
  });
});

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
          const store = openStore(path);
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

/** Every Uint8Array inside the events, in a stable order. */
function byteHoldersOf(events: readonly unknown[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (value: unknown) => {
    if (value instanceof Uint8Array) {
      if (value.length > 0) out.push(value);
    } else if (typeof value === 'object' && value !== null) {
      for (const child of Object.values(value)) walk(child);
    }
  };
  walk(events);
  return out;
}

/** The events with each byte array as base64 (and its exact class): fast to compare when large. */
function comparable(events: readonly unknown[]): unknown {
  return JSON.parse(
    JSON.stringify(events, (_key, value) =>
      value instanceof Uint8Array
        ? { class: value.constructor.name, base64: Buffer.from(value).toString('base64') }
        : value,
    ),
  );
}

function bytesAsArrays(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? [...value] : value;
}
