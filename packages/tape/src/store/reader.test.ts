import { createHash } from 'node:crypto';
import type { TapeEvent } from '@trace/spec';
import { toHex } from '@trace/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryTapeEvents } from '../conformance/arbitraries.js';
import { TapeError } from '../errors.js';
import { Tape } from '../tape.js';
import { encodedEventsOf } from './chain.js';
import { TapeReader } from './reader.js';
import { StoreRefusals } from './refusals.js';
import type { StoredEventRecord } from './stored.js';

/** What a store keeps of `tape`: its header, records with chain heads, and blobs. */
function stored(tape: Tape) {
  const events = [...encodedEventsOf(tape)];
  return {
    header: {
      id: tape.id,
      metadata: tape.metadata,
      complete: tape.complete,
      eventCount: events.length,
      head: Buffer.from(tape.fingerprint, 'hex'),
    },
    records: events.map(
      (e): StoredEventRecord => ({ seq: e.seq, record: e.record.slice(), chain: e.head }),
    ),
    // Each blob once, as a store keeps it: the same bytes may be new to a tape twice, as a body
    // and as a stream's chunk, and a copy handed twice would survive damage to the other.
    blobs: [
      ...new Map(
        events.flatMap((e) => e.newBlobs.map((b) => [toHex(b.digest), b.bytes.slice()] as const)),
      ).values(),
    ],
  };
}

function read(parts: ReturnType<typeof stored>): Tape {
  const reader = new TapeReader(parts.header, new StoreRefusals('memory:test'));
  reader.addBlobs(parts.blobs);
  return reader.read(parts.records);
}

function damage(fn: () => unknown): TapeError {
  try {
    fn();
  } catch (error) {
    if (TapeError.isInstance(error) && error.code === 'TAPE_DAMAGED') return error;
    throw error;
  }
  throw new Error('expected TAPE_DAMAGED, but the tape was read');
}

const text = (s: string) => new TextEncoder().encode(s);
const streamed: TapeEvent = {
  type: 'exchange',
  request: { method: 'POST', url: 'http://127.0.0.1/v1/messages', headers: [], body: text('{}') },
  response: {
    status: 200,
    statusText: 'OK',
    headers: [['content-type', 'text/event-stream']],
    body: {
      kind: 'stream',
      chunks: [0, 1, 2, 1].map((i) => ({ offsetMs: i * 1.5, bytes: text(`data: ${i}\n\n`) })),
      end: { kind: 'complete' },
    },
  },
};

describe('TapeReader', () => {
  it('reads back the events and fingerprint, building a stream’s chunks once, when first read', () => {
    const tape = Tape.create({ id: 'r' });
    tape.append(streamed);
    tape.append({ type: 'annotation', data: { done: true } });
    const back = read(stored(tape));
    expect(back.fingerprint).toBe(tape.fingerprint);
    const body = (back.events[0] as unknown as { response: { body: { chunks: unknown[] } } })
      .response.body;
    expect(Object.isFrozen(body)).toBe(true);
    expect(body.chunks).toBe(body.chunks);
    expect(Object.isFrozen(body.chunks[3])).toBe(true);
    expect(back.events).toEqual(tape.events);
    expect(JSON.stringify(back.events)).toBe(JSON.stringify(tape.events));
  });

  it('reads the same tape whether blobs come whole, in parts, or joined in a buffer it keeps', () => {
    fc.assert(
      fc.property(
        arbitraryTapeEvents(),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 40 }),
        fc.nat({ max: 7 }),
        (events, ways, slack) => {
          const tape = Tape.create({ id: 'ways' });
          for (const event of events) tape.append(event);
          const parts = stored(tape);
          const reader = new TapeReader(parts.header, new StoreRefusals('memory:test'));
          let joined: Uint8Array[] = [];
          const join = () => {
            // Joined at an offset inside a larger buffer, as a store's buffer may be.
            const sizes = joined.map((blob) => blob.length);
            const total = sizes.reduce((n, size) => n + size, 0);
            const buffer = new Uint8Array(slack + total + slack);
            let at = slack;
            for (const blob of joined) {
              buffer.set(blob, at);
              at += blob.length;
            }
            reader.addJoinedBlobs(buffer.subarray(slack), sizes);
            joined = [];
          };
          parts.blobs.forEach((blob, i) => {
            const way = ways[i % ways.length];
            if (way === 0) reader.addBlobs([blob]);
            else if (way === 1) {
              const cut = Math.floor(blob.length / 2);
              reader.addBlobs([[blob.subarray(0, cut), new Uint8Array(0), blob.subarray(cut)]]);
            } else joined.push(blob);
            if (way === 3) join();
          });
          join();
          const back = reader.read(parts.records);
          expect(back.fingerprint).toBe(tape.fingerprint);
          expect(back.events).toEqual(tape.events);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses blobs joined in fewer bytes than their sizes add up to', () => {
    const reader = new TapeReader(stored(Tape.create({ id: 'x' })).header, new StoreRefusals('m'));
    expect(() => reader.addJoinedBlobs(new Uint8Array(4), [2, 3])).toThrow(RangeError);
  });

  it('refuses a record or blob with any single byte changed, as TAPE_DAMAGED', () => {
    fc.assert(
      fc.property(
        arbitraryTapeEvents(),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (events, pickCell, pickByte, delta) => {
          const tape = Tape.create({ id: 'flip' });
          for (const event of events) tape.append(event);
          const parts = stored(tape);
          const cells = [...parts.records.map((r) => r.record), ...parts.blobs].filter(
            (cell) => cell.length > 0,
          );
          fc.pre(cells.length > 0);
          const cell = cells[pickCell % cells.length] as Uint8Array;
          const at = pickByte % cell.length;
          cell[at] = ((cell[at] as number) + delta) & 0xff;
          const error = damage(() => read(parts));
          expect(error.message).toContain('Tape flip in memory:test is damaged');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('says which event: a missing, a reordered and a changed record, a missing blob, a wrong head', () => {
    const tape = Tape.create({ id: 'where' });
    for (let i = 0; i < 4; i++) tape.append({ type: 'annotation', data: i });
    tape.append(streamed);

    const missing = stored(tape);
    missing.records.splice(2, 1);
    expect(damage(() => read(missing)).details).toMatchObject({ id: 'where', seq: 2 });

    const swapped = stored(tape);
    const a = swapped.records[1] as StoredEventRecord;
    const b = swapped.records[2] as StoredEventRecord;
    swapped.records[1] = { ...b, seq: 1 };
    swapped.records[2] = { ...a, seq: 2 };
    expect(damage(() => read(swapped)).details).toMatchObject({ seq: 1 });

    const changed = stored(tape);
    const record = (changed.records[3] as StoredEventRecord).record;
    record[1] = (record[1] as number) ^ 1;
    expect(damage(() => read(changed)).details).toMatchObject({ seq: 3 });

    const noBlob = stored(tape);
    noBlob.blobs.pop();
    const blobError = damage(() => read(noBlob));
    expect(blobError.details).toMatchObject({ seq: 4 });
    expect(blobError.message).toMatch(/blob [0-9a-f]{64} is missing/);

    const head = stored(tape);
    head.header = { ...head.header, head: Buffer.alloc(32) };
    expect(damage(() => read(head)).message).toContain('not the stored fingerprint');

    const short = stored(tape);
    short.header = { ...short.header, eventCount: 6 };
    expect(damage(() => read(short)).message).toContain('of 6 events');
  });

  it('refuses, at its seq, an exchange whose trailer it cannot read, even when the chain holds', () => {
    const tape = Tape.create({ id: 'trailer' });
    tape.append({ type: 'annotation', data: 0 });
    tape.append({ ...streamed, issueIndex: 0 } as TapeEvent);
    tape.append({ type: 'annotation', data: 2 });
    const sha = (...parts: Uint8Array[]) => {
      const hash = createHash('sha256');
      for (const part of parts) hash.update(part);
      return hash.digest();
    };
    // A field this version does not know (0x04) after the known ones, the chain recomputed over
    // it as a newer writer would have: only the decoder can tell.
    const parts = stored(tape);
    const target = parts.records[1] as StoredEventRecord;
    parts.records[1] = { ...target, record: Buffer.concat([target.record, Buffer.of(0x04)]) };
    let head = sha(Buffer.from('@trace/tape fingerprint v1'));
    parts.records = parts.records.map((r) => {
      head = sha(head, r.record);
      return { ...r, chain: head };
    });
    parts.header = { ...parts.header, head };
    const error = damage(() => read(parts));
    expect(error.details).toMatchObject({ id: 'trailer', seq: 1 });
    expect(error.message).toContain('unknown exchange trailer field 4');
  });

  it('asks for a blob it was not given, and refuses one whose bytes do not hash to its digest', () => {
    const tape = Tape.create({ id: 'lookup' });
    tape.append(streamed);
    const parts = stored(tape);
    const all = parts.blobs.splice(0);
    const byDigest = new Map(
      all.map((bytes) => [createHash('sha256').update(bytes).digest('hex'), bytes]),
    );
    const asked: string[] = [];
    const reader = new TapeReader(parts.header, new StoreRefusals('memory:test'));
    const back = reader.read(parts.records, (digest) => {
      asked.push(digest.toString('hex'));
      return byDigest.get(digest.toString('hex'));
    });
    expect(back.fingerprint).toBe(tape.fingerprint);
    expect(asked).toHaveLength(4); // the request body and three distinct chunks, once each

    const liar = new TapeReader(parts.header, new StoreRefusals('memory:test'));
    const error = damage(() => liar.read(parts.records, () => text('not these bytes')));
    expect(error.message).toContain('its bytes no longer hash to its digest');
  });
});
