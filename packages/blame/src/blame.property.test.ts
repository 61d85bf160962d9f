import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allGood, recordChain, seededTail } from './__tests__/chain.js';
import { type BlameResult, blame } from './index.js';

/** A number in [0, 1) from a string: the tails' "randomness", fixed by each trial's seed. */
function unitOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h / 2 ** 32;
}

/** What does not depend on scheduling: everything but the time and the branch ids. */
const stable = ({ createdAt: _c, branches: _b, ...rest }: BlameResult) => rest;

describe('blame properties', () => {
  it('an outcome that flips exactly when step i is perturbed blames exactly i; an oracle that never flips blames nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1))),
        async ([n, target]) => {
          const { store, agent } = await recordChain(n, ({ step, seed }) =>
            seed !== undefined && step === target ? 'bad' : 'good',
          );
          const options = {
            store,
            run: 'chain',
            trials: 5,
            tail: (trial: { seed: string }) => ({ fetch: seededTail(trial.seed), hybrid: true }),
          };
          const result = await blame({ ...options, oracle: allGood }, agent);
          // Steps: 2 draws, then the n exchanges in order.
          expect(result.responsible).toEqual([2 + target]);
          expect(result.steps[2 + target]!.flipRate).toBe(1);
          expect(result.steps.filter((s) => s.flips > 0)).toHaveLength(1);
          const never = await blame(
            { ...options, oracle: Object.assign(() => true, { description: 'always' }) },
            agent,
          );
          expect(never.responsible).toEqual([]);
          expect(never.steps.every((s) => s.flips === 0 && s.valid === 5)).toBe(true);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('the result is the same whatever the concurrency, given seeded tails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 3 }),
        fc.constantFrom(2, 3, 5),
        fc.double({ min: 0.1, max: 0.9, noNaN: true }),
        async (n, concurrency, badRate) => {
          // Each trial's tail answers "bad" at its fork point's step with a probability fixed by
          // the trial's seed; the draws' tails are seeded too.
          const { store, agent } = await recordChain(n, ({ step, seed }) =>
            seed !== undefined && unitOf(`${seed}/${step}`) < badRate ? 'bad' : 'good',
          );
          const options = {
            store,
            run: 'chain',
            oracle: allGood,
            trials: 4,
            adaptive: { extraTrials: 2 },
            tail: (trial: { seed: string }) => ({
              fetch: seededTail(trial.seed),
              draws: { seed: trial.seed },
            }),
          };
          const one = await blame({ ...options, concurrency: 1 }, agent);
          const many = await blame({ ...options, concurrency }, agent);
          expect(stable(many)).toEqual(stable(one));
        },
      ),
      { numRuns: 5 },
    );
  });
});
