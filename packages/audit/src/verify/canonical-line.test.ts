import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import type { AuditPayload } from '@trace/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.js';
import { canonicalBody, entryLine, isIsoUtc, parseLine } from '../entry.js';
import { chainStep } from '../write/chain.js';
import { CanonicalLineReader, HASH_AT } from './canonical-line.js';

/**
 * The judge the reader stands in for: the full parse. A line is a canonical entry when it is
 * valid UTF-8, parses to a well-shaped entry, and is exactly that entry's canonical form.
 */
function judge(bytes: Buffer) {
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  const parsed = parseLine(text);
  if (!parsed.ok) return undefined;
  try {
    return entryLine(canonicalBody(parsed.entry), parsed.entry.hash) === text
      ? parsed.entry
      : undefined;
  } catch {
    return undefined;
  }
}

/** What the reader found, in the judge's terms. */
function read(reader: CanonicalLineReader, bytes: Buffer, start = 0, end = bytes.length) {
  if (!reader.read(bytes, start, end)) return undefined;
  return {
    seq: reader.seq,
    ts: bytes.toString('latin1', reader.tsAt, reader.tsAt + 24),
    prev: bytes.toString('latin1', reader.prevAt, reader.prevAt + 64),
    hash: bytes.toString('latin1', start + HASH_AT, start + HASH_AT + 64),
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Lines as the writer writes them. */
function lineOf(
  payload: AuditPayload,
  options: { seq?: number; ts?: string; session?: string | undefined; type?: string } = {},
): Buffer {
  return Buffer.from(
    chainStep(
      { seq: (options.seq ?? 1) - 1, hash: 'c0'.repeat(32) },
      {
        ts: options.ts ?? '2026-03-01T12:00:00.000Z',
        type: options.type ?? 'custom.event',
        session: options.session,
        payloadJson: canonicalJson(payload),
        payload,
      },
      undefined,
    ).line,
  );
}

const wellFormed = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.isWellFormed()
    : Array.isArray(value)
      ? value.every(wellFormed)
      : typeof value === 'object' && value !== null
        ? Object.entries(value).every(([k, v]) => k.isWellFormed() && wellFormed(v))
        : true;

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 12, unit: 'grapheme' }),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.constantFrom('', 'é', '😀', 'a"b', 'back\\slash', 'tab\there', '\u0000\u001f\u007f\u2028'),
);
const payloadArb = fc
  .dictionary(
    text,
    fc.oneof(
      text,
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.constantFrom(0, -0, 1e21, 1e-7, 123456789012345, 1234567890123456, 5e-324),
      fc.boolean(),
      fc.constant(null),
      fc.jsonValue({ maxDepth: 3 }),
    ),
    { maxKeys: 6 },
  )
  .map((payload) => JSON.parse(canonicalJson(payload)) as AuditPayload);

const INTERESTING = [
  0x00, 0x09, 0x0a, 0x1f, 0x20, 0x22, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x39, 0x3a, 0x41,
  0x45, 0x5b, 0x5c, 0x5d, 0x61, 0x62, 0x65, 0x66, 0x6e, 0x74, 0x75, 0x7b, 0x7d, 0x7f, 0x80, 0xa9,
  0xc3, 0xed, 0xff,
];
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('set'), at: fc.nat(), byte: fc.constantFrom(...INTERESTING) }),
  fc.record({ kind: fc.constant('insert'), at: fc.nat(), byte: fc.constantFrom(...INTERESTING) }),
  fc.record({ kind: fc.constant('delete'), at: fc.nat(), byte: fc.constant(0) }),
);

function mutate(line: Buffer, mutations: { kind: string; at: number; byte: number }[]): Buffer {
  let bytes = Buffer.from(line);
  for (const { kind, at, byte } of mutations) {
    const i = at % bytes.length;
    if (kind === 'set') bytes[i] = byte;
    else if (kind === 'insert')
      bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
    else bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
  }
  return bytes;
}

describe('CanonicalLineReader', () => {
  const reader = new CanonicalLineReader();

  it('reads every line of the test vectors', async () => {
    const { vectors } = JSON.parse(
      await readFile(new URL('../__tests__/vectors.json', import.meta.url), 'utf8'),
    ) as { vectors: { line: string }[] };
    for (const { line } of vectors) {
      const bytes = Buffer.from(line);
      expect(read(reader, bytes), line).toEqual(judge(bytes) && pick(judge(bytes)!));
    }
  });

  it('property: reads every line the writer writes (short of lone surrogates), finding its fields', () => {
    fc.assert(
      fc.property(
        payloadArb,
        fc.option(
          text.filter((s) => s.length > 0 && s.isWellFormed()),
          { nil: undefined },
        ),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER - 1 }),
        fc.integer({ min: 0, max: 253402300799999 }),
        (payload, session, seq, ms) => {
          const line = lineOf(payload, { seq, session, ts: new Date(ms).toISOString() });
          const found = read(reader, line);
          if (wellFormed(payload)) expect(found).toEqual(pick(judge(line)!));
          else expect(found === undefined || judge(line) !== undefined).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: a line it reads is one the full parse calls canonical, with the same fields', () => {
    fc.assert(
      fc.property(
        payloadArb,
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        (payload, m) => {
          const line = mutate(lineOf(payload, { session: 's-1' }), m);
          const found = read(reader, line);
          // The reader leaves the digits of hash and prev to its caller, which compares them with
          // hashes (always lower-case hex); only then does its answer stand.
          if (found && HEX64.test(found.hash) && HEX64.test(found.prev)) {
            const judged = judge(line);
            expect(judged, line.toString('latin1')).toBeDefined();
            expect(found).toEqual(pick(judged!));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('property: a time it takes is one the full parse takes', () => {
    const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        two,
        two,
        two,
        two,
        two,
        fc.integer({ min: 0, max: 999 }),
        (year, month, day, hour, minute, second, ms) => {
          const ts = `${String(year).padStart(4, '0')}-${month}-${day}T${hour}:${minute}:${second}.${String(ms).padStart(3, '0')}Z`;
          const line = lineOf({}, { ts: '2026-01-01T00:00:00.000Z' });
          line.write(ts, line.indexOf('"ts":"') + 6, 'latin1');
          if (read(reader, line)) expect(isIsoUtc(ts), ts).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads a line wherever it sits in a buffer, and never past its end', () => {
    const line = lineOf({ note: 'x'.repeat(37), n: 1.5, list: [1, 'two', null] }, { session: 's' });
    for (let offset = 0; offset < 8; offset++) {
      const buffer = Buffer.concat([Buffer.alloc(offset, 0x7b), line, Buffer.from('\n{"hash"')]);
      expect(read(reader, buffer, offset, offset + line.length)).toEqual(pick(judge(line)!));
      // The same line cut short anywhere is not a line.
      for (const cut of [1, 7, 30, line.length - 1])
        expect(reader.read(buffer, offset, offset + line.length - cut)).toBe(false);
    }
  });

  it('leaves to the full parse what it does not settle, and settles nothing wrongly', () => {
    const good = lineOf({ a: 1, b: 'text', c: 1.5 }, { session: 's' }).toString('latin1');
    // [the line, what the full parse says: a canonical entry?]
    const variants: Array<[string, boolean]> = [
      [good.replace('"a":1', '"a": 1'), false], // whitespace
      [good.replace('"a":1,"b":"text"', '"b":"text","a":1'), false], // key order
      [good.replace('"a":1', '"a":1,"a":1'), false], // a duplicate key
      [good.replace('"c":1.5', '"c":1.50'), false], // a number spelt two ways
      [good.replace('"c":1.5', '"c":15e-1'), false],
      [good.replace('"a":1', '"a":-0'), false],
      [good.replace('"a":1', '"a":01'), false],
      [good.replace('"text"', '"te\\u0078t"'), false], // an escape JSON.stringify does not write
      [good.replace('"text"', '"te\\/xt"'), false],
      [good.replace('"text"', '"te\txt"'), false], // a raw control character
      [good.replace('"v":1', '"v":2'), false], // a newer version
      [good.replace('"type":"custom.event"', '"type":""'), false],
      [good.replace('"seq":1', '"seq":0'), false],
      [good.replace('"seq":1', '"seq":1.0'), false],
      [good.replace(',"v":1}', ',"v":1,"w":2}'), false], // an unknown field
      [good.replace('12:00:00.000Z', '12:00:00.000z'), false],
      // Canonical, but left to the parse: hour 24 (which Date.parse takes), a lone surrogate.
      [good.replace('12:00:00.000Z', '24:00:00.000Z'), true],
      [good.replace('"text"', '"te\\ud800xt"'), true],
    ];
    for (const [variant, canonical] of variants) {
      const bytes = Buffer.from(variant, 'latin1');
      expect(bytes.equals(Buffer.from(good, 'latin1')), variant).toBe(false);
      expect(judge(bytes) !== undefined, variant).toBe(canonical);
      expect(read(reader, bytes), variant).toBeUndefined();
    }
    // Without a session the line is still canonical, and read.
    const sessionless = Buffer.from(good.replace('"session":"s",', ''), 'latin1');
    expect(read(reader, sessionless)).toEqual(pick(judge(sessionless)!));
    // Invalid UTF-8 inside a string.
    const broken = Buffer.from(good, 'latin1');
    broken[broken.indexOf('text')] = 0xc3;
    expect(read(reader, broken)).toBeUndefined();
  });
});

function pick(entry: { seq: number; ts: string; prev: string; hash: string }) {
  return { seq: entry.seq, ts: entry.ts, prev: entry.prev, hash: entry.hash };
}
