import { readFile } from 'node:fs/promises';
import type { AuditPayload } from '@trace/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.js';
import { digest } from '../entry.js';
import { type ChainHead, chainStep } from './chain.js';

interface Vector {
  description: string;
  entry: {
    seq: number;
    ts: string;
    type: string;
    session?: string;
    payload: AuditPayload;
    prev: string;
  };
  key?: string;
  hash: string;
  line: string;
}

const { vectors } = JSON.parse(
  await readFile(new URL('../__tests__/vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const inputOf = (entry: Vector['entry']) => ({
  ts: entry.ts,
  type: entry.type,
  session: entry.session,
  payloadJson: canonicalJson(entry.payload),
  payload: entry.payload,
});

describe('chainStep (the format, without I/O)', () => {
  it.each(vectors.map((v) => [v.description, v] as const))(
    'gives the vector line and head: %s',
    (_description, vector) => {
      const head: ChainHead = { seq: vector.entry.seq - 1, hash: vector.entry.prev };
      const key = vector.key === undefined ? undefined : Buffer.from(vector.key);
      const link = chainStep(head, inputOf(vector.entry), key);
      expect(link.line).toBe(vector.line);
      expect(link.head).toEqual({ seq: vector.entry.seq, hash: vector.hash });
      expect(link.entry).toEqual({ ...vector.entry, v: 1, hash: vector.hash });
      // The head it was given is left as it was: the step is pure.
      expect(head).toEqual({ seq: vector.entry.seq - 1, hash: vector.entry.prev });
    },
  );

  it('chains the unkeyed vectors one after another from the genesis head', () => {
    let head: ChainHead = { seq: 0, hash: '0'.repeat(64) };
    for (const vector of vectors.filter((v) => v.key === undefined)) {
      const link = chainStep(head, inputOf(vector.entry), undefined);
      expect(link.line).toBe(vector.line);
      head = link.head;
    }
    expect(head.seq).toBe(3);
  });

  it('property: the line is the canonical entry, hashed over everything but its hash', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
        fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
        fc.nat({ max: 1_000_000 }),
        fc.boolean(),
        (payload, session, seq, keyed) => {
          const key = keyed ? Buffer.from('chain-test-key-'.padEnd(32, 'c')) : undefined;
          const clean = JSON.parse(canonicalJson(payload)) as AuditPayload;
          const head = { seq, hash: 'ab'.repeat(32) };
          const link = chainStep(
            head,
            {
              ts: '2026-03-01T12:00:00.000Z',
              type: 'custom.event',
              session,
              payloadJson: canonicalJson(clean),
              payload: clean,
            },
            key,
          );
          expect(link.line).toBe(canonicalJson(link.entry));
          const { hash, ...body } = link.entry;
          expect(hash).toBe(digest(canonicalJson(body), key));
          expect(link.entry).toMatchObject({ seq: seq + 1, prev: head.hash });
          expect(link.head).toEqual({ seq: seq + 1, hash });
        },
      ),
    );
  });
});
