import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../errors/spec-error.js';
import { canonicalJson, copyJson, findJsonProblem, isCanonicalJsonText, jsonText } from './json.js';
import { MAX_JSON_DEPTH } from './json-value.js';

/** RFC 8785 by the book: sorted keys written one by one, for comparison with the fast paths. */
function reference(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`)
    .join(',')}}`;
}

/** JSON values whose keys include integer-like ones, which JavaScript enumerates first. */
const withIndexKeys = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.nat({ max: 200 }).map(String), fc.constantFrom('-1', '01', ' 1')),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

function refused(run: () => unknown): SpecError {
  try {
    run();
  } catch (error) {
    if (SpecError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('jsonText', () => {
  it("keeps keys in the value's own order and writes what JSON.stringify writes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonText(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('names the offending part and says why, with a typed error', () => {
    const cases: [unknown, string][] = [
      [Number.NaN, '$ is NaN, which JSON cannot hold'],
      [{ a: [Number.POSITIVE_INFINITY] }, '$.a[0] is Infinity'],
      [{ a: undefined }, '$.a is undefined'],
      [1n, '$ is a bigint'],
      [[() => 1], '$[0] is a function'],
      [new Date(0), '$ is a Date object'],
      [{ m: new Map() }, '$.m is a Map object'],
      ['\ud800', '$ is a string with a lone surrogate'],
      [{ '\udc00': 1 }, '$.\udc00 is a key with a lone surrogate'],
      [Object.assign(new Array(2), { 1: 1 }), '$[0] is a hole in an array'],
    ];
    for (const [value, message] of cases) {
      const error = refused(() => jsonText(value));
      expect(error.code).toBe('SPEC_INVALID_JSON');
      expect(error.message).toContain(message);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refused(() => jsonText(cyclic, { path: 'v' })).details).toEqual({
      path: 'v.self',
      problem: 'refers back to itself (a cycle)',
    });
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels, and no deeper value overflows the stack`, () => {
    const nest = (levels: number) => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    expect(jsonText(nest(MAX_JSON_DEPTH))).toBe(JSON.stringify(nest(MAX_JSON_DEPTH)));
    expect(refused(() => jsonText(nest(MAX_JSON_DEPTH + 1))).message).toContain('deeper than 64');
    expect(refused(() => jsonText(nest(20_000))).code).toBe('SPEC_INVALID_JSON');
  });

  it('omits undefined members and allows lone surrogates only when asked', () => {
    expect(jsonText({ a: undefined, b: 1 }, { undefinedMembers: 'omit' })).toBe('{"b":1}');
    expect(refused(() => jsonText([undefined], { undefinedMembers: 'omit' })).message).toContain(
      '$[0] is undefined',
    );
    expect(jsonText('\ud800', { loneSurrogates: 'allow' })).toBe('"\\ud800"');
  });
});

describe('canonicalJson', () => {
  it('matches the RFC 8785 sample', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts by UTF-16 code units, integer-like keys included', () => {
    expect(canonicalJson({ '\uFB01': 1, '😀': 2, a: 3 })).toBe('{"a":3,"😀":2,"ﬁ":1}');
    expect(canonicalJson({ 9: 'a', 10: 'b', a: 1, B: 2 })).toBe('{"10":"b","9":"a","B":2,"a":1}');
  });

  it('agrees with a by-the-book encoder on every value, and is stable under reordering', () => {
    fc.assert(
      fc.property(withIndexKeys, (value) => {
        const text = canonicalJson(value);
        expect(text).toBe(reference(value));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a __proto__ member as a member', () => {
    const value = JSON.parse('{"z":1,"__proto__":{"x":1}}');
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"z":1}');
  });
});

describe('isCanonicalJsonText', () => {
  it('is true exactly for the canonical text of a value without integer-like keys', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const canonical = canonicalJson(value);
        const parsed = JSON.parse(canonical);
        const hasIndexKey = /"(?:0|[1-9]\d*)":/.test(canonical);
        if (!hasIndexKey) expect(isCanonicalJsonText(parsed, canonical)).toBe(true);
        const spaced = JSON.stringify(parsed, null, 1);
        if (spaced !== canonical) expect(isCanonicalJsonText(parsed, spaced)).toBe(false);
      }),
    );
    expect(isCanonicalJsonText({ b: 1, a: 2 }, '{"b":1,"a":2}')).toBe(false);
    // Too deep for the platform's serializer: an answer, not a RangeError.
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(isCanonicalJsonText(deep, '[]')).toBe(false);
  });
});

describe('copyJson', () => {
  it('copies deeply, so the copy does not change with the original', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = copyJson(value);
        expect(copy).toEqual(JSON.parse(JSON.stringify(value)));
        if (typeof value === 'object' && value !== null) expect(copy).not.toBe(value);
      }),
    );
  });

  it('turns -0 into 0, keeps __proto__ as a member, and freezes on request', () => {
    const copy = copyJson(JSON.parse('{"__proto__":{"a":-0},"b":[1]}'), { freeze: true }) as {
      b: number[];
      ['__proto__']: { a: number };
    };
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.is(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value.a, 0)).toBe(true);
    expect(Object.isFrozen(copy)).toBe(true);
    expect(Object.isFrozen(copy.b)).toBe(true);
  });

  it('refuses what jsonText refuses, naming the same part', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const problem = findJsonProblem(value);
        let copied: unknown;
        try {
          copied = copyJson(value);
        } catch (error) {
          expect(SpecError.isInstance(error) && error.details).toEqual(problem);
          return;
        }
        expect(problem).toBeUndefined();
        expect(JSON.stringify(copied)).toBe(jsonText(value));
      }),
    );
  });
});
