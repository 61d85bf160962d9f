import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TapeError } from './errors.js';
import { jsonText } from './json-text.js';

describe('jsonText', () => {
  const canonicalJson = (value: unknown, path: string) => jsonText(value, { path, sortKeys: true });
  it("keeps keys in the value's own order by default, and writes what JSON.stringify writes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonText(value)).toBe(JSON.stringify(value));
      }),
    );
    expect(jsonText({ b: 1, a: { d: 2, c: [3] } })).toBe('{"b":1,"a":{"d":2,"c":[3]}}');
  });

  it('with sortKeys, matches the RFC 8785 sample', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input, 'v')).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('with sortKeys, sorts keys by UTF-16 code units, not by code points', () => {
    // U+1F600 is a surrogate pair starting 0xD83D, which sorts before U+FB01 (0xFB01) in UTF-16.
    expect(canonicalJson({ '\uFB01': 1, '😀': 2, a: 3 }, 'v')).toBe('{"a":3,"😀":2,"ﬁ":1}');
  });

  it('with sortKeys, is stable under key reordering and parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value, 'v');
        expect(canonicalJson(JSON.parse(text), 'v')).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it.each([
    ['NaN', Number.NaN, 'v is NaN'],
    ['Infinity', { a: [Number.POSITIVE_INFINITY] }, 'v.a[0] is Infinity'],
    ['undefined', { a: undefined }, 'v.a is undefined'],
    ['a bigint', 1n, 'v is a bigint'],
    ['a function', [() => 1], 'v[0] is a function'],
    ['a Date', new Date(0), 'v is a Date object'],
    ['a Map', { m: new Map() }, 'v.m is a Map object'],
    ['a lone surrogate', '\ud800', 'v is a string with a lone surrogate'],
  ])('refuses %s with TAPE_INVALID_EVENT naming the path', (_label, value, message) => {
    let thrown: unknown;
    try {
      jsonText(value, { path: 'v' });
    } catch (error) {
      thrown = error;
    }
    expect(TapeError.isInstance(thrown)).toBe(true);
    expect((thrown as TapeError).code).toBe('TAPE_INVALID_EVENT');
    expect((thrown as TapeError).message).toContain(message);
  });

  it('refuses a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonText(cyclic, { path: 'v' })).toThrow(/v\.self refers back to itself/);
  });
});
