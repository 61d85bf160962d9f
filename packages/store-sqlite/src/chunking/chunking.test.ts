import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noise } from '../__tests__/noise.js';
import { vectorRequest } from '../__tests__/vector-request.js';
import { CDC_MAX, CDC_MIN } from './cdc.js';
import { chunkBlob, cutsOf } from './chunker.js';
import { compress, DEFLATE, decompress, STORED } from './compression.js';
import { jsonSpans } from './json-spans.js';

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const join = (chunks: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(chunks));

describe('chunkBlob', () => {
  it('gives back the bytes exactly, for any bytes and any JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200_000 }),
          fc.json().map(bytesOf),
          fc
            .record({
              system: fc.string({ minLength: 200, maxLength: 600 }),
              messages: fc.array(fc.record({ role: fc.string(), content: fc.string() })),
            })
            .map((body) => bytesOf(JSON.stringify(body))),
        ),
        (bytes) => {
          const chunks = chunkBlob(bytes);
          expect(join(chunks)).toEqual(bytes);
          expect(chunks.every((chunk) => chunk.length > 0 && chunk.length <= CDC_MAX)).toBe(true);
          expect(cutsOf(bytes)).toEqual(cutsOf(new Uint8Array(bytes))); // decided by content alone
        },
      ),
      { numRuns: 200 },
    );
  });

  it('cuts a chat request at its messages: a turn later, every earlier message is the same chunk', () => {
    const system = 'You plan trips, one day at a time. '.repeat(20);
    const messages = Array.from({ length: 6 }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: `Message ${i}: ${'a day in Lisbon, then tea. '.repeat(4)}`,
    }));
    const body = (n: number) =>
      bytesOf(
        JSON.stringify({
          model: 'claude-x',
          max_tokens: 512,
          system,
          messages: messages.slice(0, n),
        }),
      );
    const earlier = new Set(chunkBlob(body(5)).map((c) => Buffer.from(c).toString('latin1')));
    const later = chunkBlob(body(6)).map((c) => Buffer.from(c).toString('latin1'));
    // All but the closing bytes and the new last message are chunks the earlier body had.
    const fresh = later.filter((chunk) => !earlier.has(chunk));
    expect(fresh).toEqual([`,${JSON.stringify(messages[5])}`]);
    expect(later.length).toBe(8); // the head and system prompt, 6 messages, the close
  });

  it('content-defined cuts move only near a change', () => {
    const content = noise(300_000, 7);
    const shifted = new Uint8Array(Buffer.concat([noise(1000, 3), content]));
    const a = chunkBlob(content).map((c) => Buffer.from(c).toString('latin1'));
    const b = new Set(chunkBlob(shifted).map((c) => Buffer.from(c).toString('latin1')));
    expect(a.length).toBeGreaterThan(300_000 / CDC_MAX);
    // The chunks the insertion changed are the first few; every chunk after them is shared.
    const changed = a.map((chunk) => !b.has(chunk));
    const lastChanged = changed.lastIndexOf(true);
    expect(changed.slice(0, lastChanged + 1).every(Boolean)).toBe(true);
    const changedBytes = a.slice(0, lastChanged + 1).reduce((n, chunk) => n + chunk.length, 0);
    // Resynchronised within a couple of chunks of the inserted 1,000 bytes.
    expect(changedBytes).toBeLessThanOrEqual(1000 + 2 * CDC_MAX);
    expect(lastChanged).toBeLessThan(a.length - 10);
    expect(a.slice(0, -1).every((chunk) => chunk.length >= CDC_MIN)).toBe(true);
  });
});

describe('the chunking vector of docs/tape-format.md', () => {
  it('cuts the example request where the format says', () => {
    const bytes = vectorRequest();
    expect(bytes.length).toBe(815);
    expect(cutsOf(bytes)).toEqual([343, 513, 577, 692, 813, 815]);
    expect(
      chunkBlob(bytes).map((chunk) => createHash('sha256').update(chunk).digest('hex')),
    ).toEqual([
      'f93fe024ffd6ca6653b76405258205d8ee516a304fa6cb0dc851625a1b129388',
      'cbd257362841ac34eed680defaaac4132d345764d88c0194d9a068e437926c19',
      '1dc37cf7b6464f46a90004b71f53d090d37e28cebf8553e44f5f7d30f74f17a6',
      'a228870ac517ef62a512c7e4f680c1a494ed7db7b3b82dbb882a805c48f34cf5',
      '375d377ddda61be7d955a92bba801094ce9705cbdb3ad175b7882a729036cce1',
      '95ce9902c1c1a114c717088295c2e2285b7e2abf611f884f2aba7d8e5430435e',
    ]);
  });

  it('cuts pseudo-random bytes by content, at fixed places', () => {
    // 2^16 bytes of the xorshift stream of seed 1 (as noise() here makes them).
    expect(cutsOf(noise(65_536, 1))).toEqual(CDC_VECTOR);
  });
});

describe('jsonSpans', () => {
  it('finds each top-level array element and each long top-level string, by byte offset', () => {
    const text = `{"model":"m","system":"${'é'.repeat(200)}","messages":[{"role":"user","content":"hé"},"x",3],"meta":{"a":[1]}}`;
    const bytes = bytesOf(text);
    const spans = jsonSpans(bytes) ?? [];
    const slices = spans.map(([start, end]) =>
      Buffer.from(bytes.subarray(start, end)).toString('utf8'),
    );
    expect(slices).toEqual([`"${'é'.repeat(200)}"`, '{"role":"user","content":"hé"}', '"x"', '3']);
  });

  it('finds exactly the elements of top-level arrays and the long top-level strings, for any object', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string(),
          fc.oneof(fc.array(fc.jsonValue()), fc.string({ maxLength: 400 }), fc.jsonValue()),
        ),
        fc.constantFrom(0, 1, '\t'),
        (object, indent) => {
          const text = JSON.stringify(object, null, indent);
          const bytes = bytesOf(text);
          const expected = Object.values(object).flatMap((value) =>
            Array.isArray(value)
              ? value.map((element) => JSON.stringify(element))
              : typeof value === 'string' && bytesOf(JSON.stringify(value)).length >= 256
                ? [JSON.stringify(value)]
                : [],
          );
          const found = (jsonSpans(bytes) ?? []).map(([start, end]) =>
            JSON.stringify(JSON.parse(Buffer.from(bytes.subarray(start, end)).toString('utf8'))),
          );
          expect(found).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is undefined for what does not balance as one JSON object', () => {
    for (const text of [
      '[1,2]',
      '{"a":',
      'not json',
      '{"a":1} {"b":2}',
      '',
      '{"a":[}]',
      '{"a":"x}',
    ])
      expect(jsonSpans(bytesOf(text))).toBeUndefined();
  });
});

describe('pack compression', () => {
  it('deflates what it shrinks, keeps the rest as it is, and decodes either exactly', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 5000 }), fc.string().map(bytesOf)), (raw) => {
        const { method, data } = compress(raw);
        expect(data.length).toBeLessThanOrEqual(raw.length);
        expect(decompress(method, data, raw.length)).toEqual(raw);
      }),
    );
    const text = bytesOf('a day in Lisbon, '.repeat(200));
    expect(compress(text).method).toBe(DEFLATE);
    expect(compress(noise(3000, 1)).method).toBe(STORED);
    // Under 128 bytes a pack is kept as it is, however well it would deflate.
    expect(compress(text.subarray(0, 127)).method).toBe(STORED);
    expect(compress(text.subarray(0, 128)).method).toBe(DEFLATE);
  });

  it('keeps long bytes whose start does not compress as they are, without deflating the rest', () => {
    const text = bytesOf('a day in Lisbon, '.repeat(2000));
    expect(compress(text).method).toBe(DEFLATE);
    // Noise first, then text: judged by its first 4 KiB, kept as it is.
    expect(compress(join([noise(4096, 7), text])).method).toBe(STORED);
    // Text first, then noise: deflated, and read back whole.
    const mixed = join([text, noise(20_000, 8)]);
    const { method, data } = compress(mixed);
    expect(method).toBe(DEFLATE);
    expect(Buffer.from(decompress(method, data, mixed.length)).equals(mixed)).toBe(true);
  });

  it('refuses what it cannot decode, and a size that is not the stored one', () => {
    const { data } = compress(bytesOf('tea '.repeat(100)));
    expect(() => decompress(DEFLATE, data, 399)).toThrow();
    expect(() => decompress(DEFLATE, new Uint8Array([1, 2, 3]), 10)).toThrow();
    expect(() => decompress(7, data, 400)).toThrow(/unknown method 7/);
    expect(() => decompress(STORED, new Uint8Array(3), 4)).toThrow();
  });
});

/** Computed once by this implementation, and written into docs/tape-format.md. */
const CDC_VECTOR = [9877, 18539, 26506, 36448, 43260, 51937, 60755, 65536];
