import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDifferences, previews } from './diff.js';

describe('difference lines', () => {
  it('show two long strings around where they first differ, not their common beginning', () => {
    const prompt = `You are a careful travel planner. ${'Consider every option. '.repeat(40)}`;
    const line = formatDifferences([
      {
        path: 'system',
        recorded: `${prompt}Answer in French.`,
        live: `${prompt}Answer in German.`,
      },
    ]);
    expect(line).toContain('French');
    expect(line).toContain('German');
    expect(line).toContain('...');
  });

  it('property: each preview holds the first differing character and is bounded', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.string({ maxLength: 400 }),
        fc.string({ minLength: 1, maxLength: 8 }),
        (common, a, b) => {
          const left = `${common}x${a}`;
          const right = `${common}y${b}`;
          const [shownLeft, shownRight] = previews(left, right);
          expect(shownLeft.length).toBeLessThanOrEqual(126);
          expect(shownRight.length).toBeLessThanOrEqual(126);
          if (left.length > 120 || right.length > 120) {
            const start = Math.max(0, common.length - 40);
            const expected = `${start > 0 ? '...' : ''}${left.slice(start, start + 120)}${start + 120 < left.length ? '...' : ''}`;
            expect(shownLeft).toBe(expected);
            expect(shownLeft).toContain(`${common.slice(-Math.min(common.length, 40))}x`);
            expect(shownRight).toContain(`${common.slice(-Math.min(common.length, 40))}y`);
          } else {
            expect([shownLeft, shownRight]).toEqual([left, right]);
          }
        },
      ),
    );
  });
});
