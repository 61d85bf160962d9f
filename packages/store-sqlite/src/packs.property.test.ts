/**
 * Properties of the packs of format 7: whatever is recorded — two recordings at once, finished or
 * not, bodies that compress and bodies that do not, streams cut anywhere — every tape reads back
 * exactly, and the packs stay sound: every chunk and inline blob lies inside an existing pack,
 * no pack exceeds PACK_MAX, none is left that nothing is placed in, and deleting the tapes in any
 * order leaves nothing behind.
 */
import { Tape, type TapeEvent } from '@trace/tape';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storePath, tempDir } from './__tests__/helpers.js';
import { noise } from './__tests__/noise.js';
import { openSqliteStore } from './index.js';
import { PACK_MAX } from './sqlite/packs.js';

const dir = tempDir();

/** What a turn sends: a chat message added to the conversation, prose, or noise. */
const turn = fc.record({
  kind: fc.constantFrom('chat', 'prose', 'noise'),
  size: fc.integer({ min: 0, max: 12_000 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  cuts: fc.option(fc.array(fc.nat({ max: 3000 }), { maxLength: 5 }), { nil: undefined }),
});
type Turn = typeof turn extends fc.Arbitrary<infer T> ? T : never;

const WORDS = 'a day in the city with rain and sun by the sea at noon or night'.split(' ');

function text(size: number, seed: number): string {
  let x = seed;
  let out = '';
  while (out.length < size) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += `${WORDS[x % WORDS.length]} `;
  }
  return out.slice(0, size);
}

/** The events of a conversation of `turns`: each chat request sends every message again. */
function eventsOf(turns: readonly Turn[]): TapeEvent[] {
  const messages: { role: string; content: string }[] = [];
  return turns.map((t): TapeEvent => {
    const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
    let body: Uint8Array;
    if (t.kind === 'noise') body = noise(t.size, t.seed);
    else if (t.kind === 'prose') body = utf8(text(t.size, t.seed));
    else {
      messages.push({ role: 'user', content: text(t.size, t.seed) });
      body = utf8(JSON.stringify({ model: 'm', system: text(3000, 7), messages }));
      messages.push({ role: 'assistant', content: text(t.size >> 1, t.seed + 1) });
    }
    const answer =
      t.kind === 'noise' ? noise(t.size >> 1, t.seed + 2) : utf8(text(t.size, t.seed + 3));
    const cuts = t.cuts === undefined ? undefined : [...new Set(t.cuts)].sort((a, b) => a - b);
    return {
      type: 'exchange',
      request: { method: 'POST', url: 'http://127.0.0.1/v1/messages', headers: [], body },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [],
        body:
          cuts === undefined
            ? { kind: 'bytes', bytes: answer }
            : {
                kind: 'stream',
                chunks: [...cuts.filter((cut) => cut < answer.length), answer.length].map(
                  (end, i, ends) => ({
                    offsetMs: i,
                    bytes: answer.subarray(i === 0 ? 0 : (ends[i - 1] as number), end),
                  }),
                ),
                end: { kind: 'complete' },
              },
      },
    };
  });
}

/** What the pack tables say is wrong, if anything. */
function packProblems(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = (sql: string) => db.prepare(sql).all();
    return [
      ...rows(`SELECT 'chunk ' || c.id || ' outside its pack' AS p FROM chunks c
               LEFT JOIN packs k ON k.id = c.pack WHERE k.id IS NULL OR c.offset + c.size > k.size`),
      ...rows(`SELECT 'blob ' || b.id || ' outside its pack' AS p FROM blobs b
               LEFT JOIN packs k ON k.id = b.pack
               WHERE b.chunks IS NULL AND (k.id IS NULL OR b.offset + b.size > k.size)`),
      ...rows(`SELECT 'pack ' || id || ' of ' || size || ' bytes' AS p FROM packs
               WHERE size > ${PACK_MAX}`),
      ...rows(`SELECT 'pack ' || id || ' with nothing in it' AS p FROM packs
               WHERE id NOT IN (SELECT pack FROM chunks) AND id NOT IN
                 (SELECT pack FROM blobs WHERE pack IS NOT NULL)`),
    ].map((row) => (row as { p: string }).p);
  } finally {
    db.close();
  }
}

const count = (path: string, table: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
};

describe('packs', () => {
  it('two recordings at once, finished or not, read back exactly; the packs stay sound; deletes leave nothing', () => {
    fc.assert(
      fc.property(
        fc.array(turn, { minLength: 1, maxLength: 16 }),
        fc.array(turn, { minLength: 1, maxLength: 16 }),
        fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (turnsA, turnsB, order, finishA, finishB, deleteAFirst) => {
          const path = storePath(dir);
          const store = openSqliteStore(path, { durability: 'normal' });
          const plans = [
            { id: 'a', events: eventsOf(turnsA), finish: finishA, next: 0 },
            { id: 'b', events: eventsOf(turnsB), finish: finishB, next: 0 },
          ];
          const recorders = plans.map((plan) => store.record({ id: plan.id }));
          // Appended in the order drawn, one recording or the other, until both are done.
          for (let step = 0; plans.some((p) => p.next < p.events.length); step++) {
            const pick = order[step % order.length] ? 0 : 1;
            const plan =
              (plans[pick]?.next ?? 0) < (plans[pick]?.events.length ?? 0) ? pick : 1 - pick;
            const p = plans[plan] as (typeof plans)[number];
            recorders[plan]?.append(p.events[p.next++] as TapeEvent);
          }
          plans.forEach((plan, i) => {
            if (plan.finish) recorders[i]?.finish();
          });
          store.close();

          expect(packProblems(path)).toEqual([]);
          const reader = openSqliteStore(path, { readonly: true });
          for (const plan of plans) {
            const expected = Tape.create({ id: plan.id });
            for (const event of plan.events) expected.append(event);
            const back = reader.load(plan.id);
            expect(back.fingerprint).toBe(expected.fingerprint);
            expect(back.complete).toBe(plan.finish);
          }
          expect(reader.verify()).toMatchObject({ ok: true, problems: [] });
          reader.close();

          const writer = openSqliteStore(path);
          for (const id of deleteAFirst ? ['a', 'b'] : ['b', 'a']) {
            writer.delete(id);
            expect(writer.verify().ok).toBe(true);
            expect(packProblems(path)).toEqual([]);
          }
          writer.close();
          for (const table of ['blobs', 'chunks', 'packs']) expect(count(path, table)).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  });
});
