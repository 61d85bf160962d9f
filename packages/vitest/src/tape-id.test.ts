import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tapeIdOf } from './tape-id.js';

describe('tapeIdOf', () => {
  it('keeps plain names readable: spaces become _, the describe chain is joined with /', () => {
    expect(tapeIdOf(['trip planner', 'plans a day'])).toBe('trip_planner/plans_a_day');
    expect(tapeIdOf(['n=1'])).toBe('n=1');
  });

  it('hashes names a plain id cannot carry, keeping a readable prefix', () => {
    expect(tapeIdOf(['plans a day in Zürich'])).toMatch(/^plans_a_day_in_Zurich#[0-9a-f]{12}$/);
    expect(tapeIdOf(['a_b'])).toMatch(/^a_b#[0-9a-f]{12}$/);
    expect(tapeIdOf(['a/b'])).toMatch(/^a_b#[0-9a-f]{12}$/);
    expect(tapeIdOf(['x'.repeat(300)])).toMatch(/^x{80}#[0-9a-f]{12}$/);
  });

  it('tells apart names that read alike', () => {
    expect(tapeIdOf(['a b'])).not.toBe(tapeIdOf(['a_b']));
    expect(tapeIdOf(['a', 'b'])).not.toBe(tapeIdOf(['a/b']));
    expect(tapeIdOf(['a', 'b'])).not.toBe(tapeIdOf(['a b']));
  });

  it('gives every name chain a valid tape id, the same each time, and distinct chains distinct ids', () => {
    const names = fc.array(
      fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })),
      {
        minLength: 1,
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(names, names, (a, b) => {
        const id = tapeIdOf(a);
        // What a tape id may be (see @trace/tape): 1 to 200 printable ASCII characters, no spaces.
        expect(id).toMatch(/^[\x21-\x7e]{1,200}$/);
        expect(tapeIdOf([...a])).toBe(id);
        expect(id.includes('~')).toBe(false);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(tapeIdOf(b)).not.toBe(id);
      }),
      { numRuns: 2000 },
    );
  });
});
