import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlameError, jsonPathEquals, jsonPathMatches, matchesText } from './index.js';
import { parseJsonPath, readJsonPath } from './json-path.js';

describe('oracles', () => {
  it('matchesText reads a string as it is, anything else as its JSON, or the text at a path', () => {
    expect(matchesText(/Lisbon/)('Plan for Lisbon')).toBe(true);
    expect(matchesText(/Lisbon/)({ city: 'Oslo' })).toBe(false);
    expect(matchesText(/"city":"Oslo"/)({ city: 'Oslo' })).toBe(true);
    expect(matchesText(/^Oslo$/, 'days[1].city')({ days: [{}, { city: 'Oslo' }] })).toBe(true);
    expect(matchesText(/x/, 'missing.path')({})).toBe(false);
    expect(matchesText(/Lisbon/, 'city').description).toBe('text at city matches /Lisbon/');
  });

  it('a global pattern gives the same answer every time (no lastIndex carried over)', () => {
    const oracle = matchesText(/a/g);
    expect([oracle('a'), oracle('a'), oracle('a')]).toEqual([true, true, true]);
    const atPath = jsonPathMatches('x', /a/g);
    expect([atPath({ x: 'a' }), atPath({ x: 'a' })]).toEqual([true, true]);
  });

  it('jsonPathEquals compares canonical JSON; jsonPathMatches reads scalars only', () => {
    const value = { answer: { city: 'Kyoto', tags: ['a', 'b'], n: 3 } };
    expect(jsonPathEquals('answer.tags', ['a', 'b'])(value)).toBe(true);
    expect(jsonPathEquals('$.answer', { n: 3, tags: ['a', 'b'], city: 'Kyoto' })(value)).toBe(true);
    expect(jsonPathEquals('answer.n', 4)(value)).toBe(false);
    expect(jsonPathEquals('answer.none', null)(value)).toBe(false);
    expect(jsonPathMatches('answer.n', /^3$/)(value)).toBe(true);
    expect(jsonPathMatches('answer.tags', /a/)(value)).toBe(false);
    expect(jsonPathEquals('answer.n', 3).description).toBe('answer.n equals 3');
  });

  it('paths: names, indexes and quoted names; a malformed path is BLAME_INVALID_OPTION', () => {
    expect(parseJsonPath('a.b[2]["x y"]')).toEqual(['a', 'b', 2, 'x y']);
    expect(parseJsonPath('$.a')).toEqual(['a']);
    expect(parseJsonPath('$')).toEqual([]);
    for (const bad of ['a..b', '.a', 'a[x]', 'a b'])
      expect(() => jsonPathEquals(bad, 1)).toThrow(BlameError);
  });

  it('reads back what it is given at any generated path', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(5), fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/)), {
          maxLength: 6,
        }),
        fc.jsonValue(),
        (segments, leaf) => {
          let value: unknown = leaf;
          for (const segment of [...segments].reverse()) {
            if (typeof segment === 'number') {
              const array: unknown[] = new Array(segment + 1).fill(null);
              array[segment] = value;
              value = array;
            } else value = { [segment]: value };
          }
          const path = segments
            .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`))
            .join('');
          expect(readJsonPath(value, parseJsonPath(path === '' ? '$' : path))).toEqual(leaf);
        },
      ),
    );
  });
});
