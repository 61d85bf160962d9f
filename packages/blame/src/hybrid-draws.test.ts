import { join } from 'node:path';
import { type AgentContext, runAgent } from '@trace/run';
import { describe, expect, it } from 'vitest';
import { startWorld, tempDir } from './__tests__/chain.js';
import { blame } from './index.js';

describe('hybridDraws', () => {
  it('keeps the run’s draws after the fork point while they line up, so a trial changes its step and not every later draw', async () => {
    const world = await startWorld(() => 'good');
    // Ask, roll a die (a draw after exchange 0), ask with the roll, and return the roll.
    const agent = async ({ fetch, source }: AgentContext) => {
      const first = await fetch(world.url, {
        method: 'POST',
        body: JSON.stringify({ step: 0, attempt: 0 }),
      });
      await first.text(); // the exchange ends (and takes its place on the tape) before the roll
      const roll = source.int(1, 6);
      const second = await fetch(world.url, {
        method: 'POST',
        body: JSON.stringify({ step: roll, attempt: 0 }),
      });
      await second.text();
      return roll;
    };
    const path = join(tempDir(), 'dice.tape.db');
    const { value: rolled } = await runAgent({ path, id: 'dice', mode: 'record', env: {} }, agent);
    const oracle = Object.assign((roll: number) => roll === rolled, { description: 'same roll' });
    const options = {
      path,
      run: 'dice',
      oracle,
      trials: 12,
      tail: (trial: { seed: string }) => ({ hybrid: true, draws: { seed: trial.seed } }),
    };
    const fresh = await blame(options, agent);
    const kept = await blame({ ...options, hybridDraws: true }, agent);
    expect(fresh.steps.map((s) => s.label)).toEqual([
      'POST /v1/step',
      'draw random.int',
      'POST /v1/step',
    ]);
    // Fresh tails: a resample of exchange 0 also re-rolls the die, so it "flips" as often as the
    // die itself does.
    expect(fresh.steps[0]!.flips).toBeGreaterThan(0);
    // Hybrid draws: the die keeps its recorded roll unless the die is the step redrawn.
    expect(kept.steps.map((s) => s.flips)).toEqual([0, fresh.steps[1]!.flips, 0]);
    expect(kept.steps[1]!.flips).toBeGreaterThan(0);
    expect(kept.responsible).toEqual(fresh.steps[1]!.responsible ? [1] : []);
  });
});
