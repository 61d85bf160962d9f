import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { AuditError } from './errors.js';

describe('canonicalJson', () => {
  it('sorts keys by code unit, drops whitespace and undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined, A: { z: 0, y: -0 } })).toBe(
      '{"A":{"y":0,"z":0},"a":[true,null,"x"],"b":1}',
    );
    // Code-unit order, not locale order: "10" < "9" and upper case before lower case.
    expect(canonicalJson({ 9: 'a', 10: 'b', a: 1, B: 2 })).toBe('{"10":"b","9":"a","B":2,"a":1}');
  });

  it('writes strings and numbers exactly as JSON.stringify does (RFC 8785 for these values)', () => {
    expect(canonicalJson({ s: 'é\u2028"\\\n\u0001', n: 1e21, f: 0.1, big: 123456789012 })).toBe(
      `{"big":123456789012,"f":0.1,"n":1e+21,"s":${JSON.stringify('é\u2028"\\\n\u0001')}}`,
    );
  });

  it('refuses what JSON cannot carry faithfully, with a typed error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { b: 1n },
      { a: [undefined] },
      { d: new Date(0) },
      cyclic,
      { f: () => 1 },
    ]) {
      expect(() => canonicalJson(bad)).toThrow(AuditError);
      try {
        canonicalJson(bad);
      } catch (error) {
        expect((error as AuditError).code).toBe('AUDIT_INVALID_EVENT');
      }
    }
  });

  it('is stable: parse then re-encode gives the same bytes, whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalJson(value);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
        expect(JSON.parse(once)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
