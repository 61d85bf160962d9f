import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { revive } from '../scripts/vector-inputs.mjs';
import { decodeRecord } from './decoding.js';
import { Tape } from './index.js';

interface Vector {
  name: string;
  events: unknown[];
  records: string[];
  heads: string[];
  fingerprint: string;
}

const file = JSON.parse(
  readFileSync(new URL('../../../docs/tape-vectors.json', import.meta.url), 'utf8'),
) as {
  vectors: Vector[];
};
const sha256 = (...parts: Buffer[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

describe('docs/tape-vectors.json', () => {
  it('holds vectors', () => {
    expect(file.vectors.length).toBeGreaterThanOrEqual(8);
  });

  for (const vector of file.vectors) {
    it(`${vector.name}: the code reproduces the frozen records, heads and fingerprint`, () => {
      const tape = Tape.create({ id: 'vector' });
      for (const event of revive(vector.events)) tape.append(event);
      const stored = tape.storedEvents();
      expect(stored.map((s) => Buffer.from(s.record).toString('hex'))).toEqual(vector.records);
      expect(stored.map((s) => s.head.toString('hex'))).toEqual(vector.heads);
      expect(tape.fingerprint).toBe(vector.fingerprint);
    });

    it(`${vector.name}: the chain is SHA-256(previous head || record), as the spec says`, () => {
      let head = sha256(Buffer.from('@trace/tape fingerprint v1', 'utf8'));
      vector.records.forEach((record, i) => {
        head = sha256(head, Buffer.from(record, 'hex'));
        expect(head.toString('hex')).toBe(vector.heads[i]);
      });
      expect(head.toString('hex')).toBe(vector.fingerprint);
    });

    it(`${vector.name}: each record decodes back to its event`, () => {
      const blobs = new Map<string, Uint8Array>();
      const tape = Tape.create();
      for (const event of revive(vector.events)) tape.append(event);
      for (const s of tape.storedEvents())
        for (const blob of s.blobs) blobs.set(blob.digest.toString('hex'), blob.bytes);
      const decoded = vector.records.map((hex) =>
        decodeRecord(Buffer.from(hex, 'hex'), (digest) =>
          blobs.get(Buffer.from(digest).toString('hex')),
        ),
      );
      expect(decoded).toEqual(tape.events);
    });
  }
});
