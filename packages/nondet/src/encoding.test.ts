import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  decodeDecimal,
  decodeFloat64,
  encodeBase64,
  encodeFloat64,
} from './encoding.js';
import { copyJson } from './json.js';
import { uuidV7Timestamp } from './uuid.js';

describe('float64 as bits', () => {
  it('matches IEEE-754 binary64 vectors', () => {
    const vectors: [number, string][] = [
      [1, '3ff0000000000000'],
      [-2, 'c000000000000000'],
      [0, '0000000000000000'],
      [-0, '8000000000000000'],
      [Number.NaN, '7ff8000000000000'],
      [Number.POSITIVE_INFINITY, '7ff0000000000000'],
      [Number.MIN_VALUE, '0000000000000001'],
      [Number.MAX_VALUE, '7fefffffffffffff'],
      [0.1, '3fb999999999999a'],
    ];
    for (const [value, hex] of vectors) {
      expect(encodeFloat64(value)).toBe(hex);
      expect(Object.is(decodeFloat64(hex), value)).toBe(true);
    }
  });

  it('round-trips every double, and refuses anything but 16 lowercase hex digits', () => {
    fc.assert(fc.property(fc.double(), (d) => Object.is(decodeFloat64(encodeFloat64(d)), d)));
    for (const bad of [
      '3FF0000000000000',
      '3ff000000000000',
      '3ff00000000000000',
      'xff0000000000000',
      1,
      null,
    ]) {
      expect(decodeFloat64(bad)).toBeUndefined();
    }
  });
});

describe('base64', () => {
  it('matches the RFC 4648 vectors', () => {
    const vectors = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy'];
    vectors.forEach((b64, n) => {
      const bytes = new TextEncoder().encode('foobar'.slice(0, n));
      expect(encodeBase64(bytes)).toBe(b64);
      expect(decodeBase64(b64)).toEqual(bytes);
    });
  });

  it('round-trips any bytes (views into larger buffers included) and refuses non-canonical text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 8 }), (bytes, offset) => {
        const padded = new Uint8Array(bytes.length + offset * 2);
        padded.set(bytes, offset);
        const view = padded.subarray(offset, offset + bytes.length);
        expect(decodeBase64(encodeBase64(view))).toEqual(bytes);
      }),
    );
    for (const bad of ['Zh==', 'Zg=', 'Zg', 'Z g=', 'Zm9v\n', 'Zm-v', 'Zm9v====', 7]) {
      expect(decodeBase64(bad)).toBeUndefined();
    }
  });
});

it('the hand decoder for short text agrees with Node on any text over the base64 alphabet', () => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ '.split('');
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 140 }), (list) => {
      const text = list.join('');
      const canonical =
        text.length % 4 === 0 &&
        /^[A-Za-z0-9+/]*={0,2}$/.test(text) &&
        Buffer.from(text, 'base64').toString('base64') === text;
      const decoded = decodeBase64(text);
      expect(decoded !== undefined).toBe(canonical);
      if (decoded !== undefined)
        expect(Buffer.from(decoded).equals(Buffer.from(text, 'base64'))).toBe(true);
    }),
    { numRuns: 500 },
  );
  // Canonical texts are rare among random ones: check every encoding of short byte arrays too.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat({ max: 63 }), (bytes, flip) => {
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      if (text.length === 0) return;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const at = text.replace(/=+$/, '').length - 1;
      const changed = text.slice(0, at) + alphabet[flip] + text.slice(at + 1);
      const node = Buffer.from(changed, 'base64');
      const decoded = decodeBase64(changed);
      expect(decoded !== undefined).toBe(node.toString('base64') === changed);
    }),
  );
});

describe('decimal integers', () => {
  it('round-trips any bigint and refuses non-canonical spellings', () => {
    fc.assert(fc.property(fc.bigInt(), (n) => decodeDecimal(n.toString()) === n));
    for (const bad of ['-0', '01', '+1', '1e3', ' 1', '', '1.0', 1])
      expect(decodeDecimal(bad)).toBeUndefined();
  });
});

describe('copyJson', () => {
  it('copies plain JSON, normalising -0, and keeps a "__proto__" key as data', () => {
    const input = JSON.parse(
      '{"__proto__": {"polluted": true}, "a": [1, -0, "x", null, {"b": false}]}',
    );
    const result = copyJson(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(Object.hasOwn(result.value as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.is((result.value as { a: unknown[] }).a[1], 0)).toBe(true);
  });

  it('refuses sparse arrays and absurd nesting, with the path', () => {
    const sparse = copyJson(Object.assign(new Array(3), { 0: 1, 2: 3 }));
    expect(sparse).toMatchObject({ ok: false, path: '$[1]' });
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    expect(copyJson(deep)).toMatchObject({ ok: false, problem: expect.stringContaining('deeper') });
  });
});

describe('uuidV7Timestamp', () => {
  it('reads the 48-bit millisecond timestamp of the RFC 9562 example', () => {
    // RFC 9562 appendix A.6: 017F22E2-79B0-7CC3-98C4-DC0C0C07398F, Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00.
    expect(uuidV7Timestamp('017f22e2-79b0-7cc3-98c4-dc0c0c07398f')).toBe(
      Date.UTC(2022, 1, 22, 19, 22, 22),
    );
    expect(uuidV7Timestamp('017F22E2-79B0-7CC3-98C4-DC0C0C07398F')).toBe(
      Date.UTC(2022, 1, 22, 19, 22, 22),
    );
  });

  it('refuses anything but a UUIDv7 with a typed error, never NaN or a raw TypeError', () => {
    for (const bad of [
      'garbage',
      '',
      '0f8fad5b-d9cb-469f-a165-70867728950e', // a v4
      '017f22e2-79b0-7cc3-98c4-dc0c0c07398', // one digit short
      5,
      null,
      undefined,
    ]) {
      expect(() => uuidV7Timestamp(bad as never), String(bad)).toThrow(
        expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT', details: { argument: 'uuid' } }),
      );
    }
  });
});
