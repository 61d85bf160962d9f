import { verifyBranch } from '@trace/fork';
import { runAgent } from '@trace/run';
import { describe, expect, it } from 'vitest';
import { allGood, chainAgent, recordChain, rejection, seededTail } from './__tests__/chain.js';
import { BlameError, blame, estimateBlame, loadBlame, perturbations } from './index.js';
import { saveBlame } from './storage.js';

describe('blame on a recorded run', () => {
  it('blames the one exchange whose resample answers differently, and only it', async () => {
    // Recorded: every answer good. A trial's tail answers "bad" at step 2 only, so a resample at
    // exchange 2 flips the outcome; a resample anywhere else is answered "good" and the rest
    // served from the run (hybrid).
    const { store, agent, world } = await recordChain(4, ({ step, seed }) =>
      seed !== undefined && step === 2 ? 'bad' : 'good',
    );
    const result = await blame(
      {
        store,
        run: 'chain',
        oracle: allGood,
        trials: 6,
        tail: (trial) => ({
          fetch: seededTail(trial.seed),
          hybrid: true,
          draws: { seed: trial.seed },
        }),
      },
      agent,
    );
    expect(result.parentOutcome).toBe(true);
    expect(result.steps.map((s) => s.label)).toEqual([
      'draw random.int',
      'draw tool:lookup',
      'POST /v1/step',
      'POST /v1/step',
      'POST /v1/step',
      'POST /v1/step',
    ]);
    expect(result.steps.map((s) => s.step)).toEqual([
      { draw: 0 },
      { draw: 1 },
      { exchange: 0 },
      { exchange: 1 },
      { exchange: 2 },
      { exchange: 3 },
    ]);
    expect(result.steps.map((s) => s.perturbation)).toEqual([
      'redraw',
      'redraw',
      'resample',
      'resample',
      'resample',
      'resample',
    ]);
    expect(result.steps.map((s) => s.flips)).toEqual([0, 0, 0, 0, 6, 0]);
    expect(result.steps.every((s) => s.valid === 6 && s.trustworthy)).toBe(true);
    expect(result.responsible).toEqual([4]);
    expect(result.ranking[0]).toBe(4);
    expect(result.steps[4]!.pValue).toBeCloseTo(0.3 ** 6, 12);
    expect(result.steps[4]!.interval.high).toBe(1);
    expect(result.partial).toBe(false);
    // Live tail calls: each exchange's resample is one call; the rest came from the run.
    expect(result.spend.calls).toBe(4 * 6);
    expect(world.asked.filter((a) => a.seed !== undefined)).toHaveLength(24);
    expect(result.spend.tokens).toBe(24 * 15);
    // Stored beside the run, branches gone.
    expect(await loadBlame(store, 'chain')).toEqual(result);
    expect(store.list().map((t) => t.id)).toEqual(['chain', 'chain.blame']);
  });
});

describe('trials that are not valid', () => {
  it('a fork that drifts is UNDEFINED, never a non-flip: its step has no valid trial and is untrustworthy', async () => {
    const recorded = await recordChain(2, () => 'good');
    const { store, world } = recorded;
    // An agent that is not the run's after its first call: the replay of the run (call 0) passes,
    // every fork drifts before its fork point or at it.
    let runs = 0;
    const changing: typeof recorded.agent = (ctx) =>
      chainAgent(runs++ === 0 ? world.url : `${world.url}?v=2`, 2)(ctx);
    const result = await blame(
      {
        store,
        run: 'chain',
        oracle: allGood,
        trials: 4,
        steps: [{ exchange: 1 }],
        tail: { hybrid: true },
      },
      changing,
    );
    const [step] = result.steps;
    expect(step).toMatchObject({
      trials: 4,
      valid: 0,
      flips: 0,
      undefined: 4,
      reasons: { diverged: 4, errored: 0, cut: 0 },
      flipRate: 0,
      interval: { low: 0, high: 1 },
      pValue: 1,
      trustworthy: false,
      responsible: false,
    });
    expect(result.spend.calls).toBe(0);
  });

  it('an agent that throws leaves its trial UNDEFINED; with judgeErrors it is outcome false and flips', async () => {
    const { store, agent } = await recordChain(3, ({ step, seed }) =>
      seed !== undefined && step === 1 ? 500 : 'good',
    );
    const options = {
      store,
      run: 'chain',
      oracle: allGood,
      trials: 5,
      steps: [{ exchange: 0 }, { exchange: 1 }],
      tail: (trial: { seed: string }) => ({ fetch: seededTail(trial.seed), hybrid: true }),
    };
    const plain = await blame(options, agent);
    expect(plain.steps.map((s) => [s.valid, s.reasons.errored])).toEqual([
      [5, 0],
      [0, 5],
    ]);
    expect(plain.responsible).toEqual([]);
    const judged = await blame({ ...options, judgeErrors: true }, agent);
    expect(judged.steps.map((s) => [s.valid, s.flips])).toEqual([
      [5, 0],
      [5, 5],
    ]);
    expect(judged.responsible).toEqual([1]);
  });
});

describe('perturbations', () => {
  it('neutralToolResult replaces a named source with a neutral value of its shape, and skips other steps', async () => {
    const { store, agent } = await recordChain(2, () => 'good');
    const result = await blame(
      {
        store,
        run: 'chain',
        oracle: allGood,
        trials: 3,
        perturb: perturbations.neutralToolResult(),
        tail: { hybrid: true },
      },
      agent,
    );
    expect(result.steps.map((s) => [s.label, s.perturbation, s.flips])).toEqual([
      ['draw tool:lookup', 'neutral-tool-result', 3],
    ]);
    expect(result.responsible).toEqual([0]);
  });

  it('a user perturbation and a per-step choice: redraw for draws, none for exchanges', async () => {
    const { store, agent } = await recordChain(2, () => 'good');
    const seen: string[] = [];
    const shout = {
      name: 'shout',
      intervene: (step: { kind: string; label: string }, trial: number) => {
        seen.push(`${step.label}#${trial}`);
        return { kind: 'draw' as const, value: 'FOUND' };
      },
    };
    const result = await blame(
      {
        store,
        run: 'chain',
        oracle: allGood,
        trials: 2,
        concurrency: 1,
        perturb: (step) => (step.source === 'tool:lookup' ? shout : undefined),
        tail: { hybrid: true },
      },
      agent,
    );
    expect(result.steps.map((s) => [s.label, s.perturbation, s.flips])).toEqual([
      ['draw tool:lookup', 'shout', 2],
    ]);
    // Asked once to plan (trial 0), then once per trial.
    expect(seen).toEqual(['draw tool:lookup#0', 'draw tool:lookup#0', 'draw tool:lookup#1']);
  });
});

describe('the result in the store', () => {
  it('keeps the branches when asked (each a verified branch of the run), and a later blame replaces the stored result', async () => {
    const { store, agent } = await recordChain(2, ({ step, seed }) =>
      seed !== undefined && step === 0 ? 'bad' : 'good',
    );
    const options = {
      store,
      run: 'chain',
      oracle: allGood,
      trials: 3,
      steps: [{ exchange: 0 }, { exchange: 1 }],
      tail: (trial: { seed: string }) => ({ fetch: seededTail(trial.seed), hybrid: true }),
    };
    const kept = await blame({ ...options, keepBranches: true }, agent);
    expect(kept.branches).toHaveLength(6);
    for (const id of kept.branches) expect((await verifyBranch(store, id)).ok).toBe(true);
    expect(await loadBlame(store, 'chain')).toEqual(kept);
    const again = await blame({ ...options, trials: 2 }, agent);
    expect(again.branches).toEqual([]);
    expect((await loadBlame(store, 'chain'))?.steps[0]?.trials).toBe(2);
    expect(await loadBlame(store, 'nothing')).toBeUndefined();
    const unsaved = await blame({ ...options, trials: 1, save: false }, agent);
    expect(unsaved.steps[0]!.trials).toBe(1);
    expect((await loadBlame(store, 'chain'))?.steps[0]?.trials).toBe(2);
  });
});

describe('storing the result', () => {
  it('never replaces a recorded run that happens to be named <run>.blame', async () => {
    const { store, agent, world, path } = await recordChain(1, () => 'good');
    // A real run recorded as "chain.blame", in the same SQLite store.
    await runAgent({ path, id: 'chain.blame', mode: 'record', env: {} }, agent);
    const before = await store.load('chain.blame');
    expect(before.events.length).toBeGreaterThan(0);
    const asked = world.asked.length;
    const options = { store, run: 'chain', oracle: allGood, trials: 2, tail: {} };
    const error = await rejection(blame(options, agent));
    expect(BlameError.isInstance(error)).toBe(true);
    expect((error as BlameError).code).toBe('BLAME_STORAGE_FAILED');
    expect((error as BlameError).message).toContain('Rename that run');
    expect((error as BlameError).message).toContain('save: false');
    // Refused before anything was spent, and the run is as it was.
    expect(world.asked.length).toBe(asked);
    const after = await store.load('chain.blame');
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(after.events).toHaveLength(before.events.length);
    // save: false blames it all the same, and still leaves the run alone.
    const unsaved = await blame({ ...options, save: false }, agent);
    expect(unsaved.steps.length).toBeGreaterThan(0);
    expect((await store.load('chain.blame')).fingerprint).toBe(before.fingerprint);
    // saveBlame itself checks too (a run recorded under that id while the blame ran).
    const saved = await rejection(saveBlame(store, unsaved));
    expect((saved as BlameError).code).toBe('BLAME_STORAGE_FAILED');
    expect((await store.load('chain.blame')).fingerprint).toBe(before.fingerprint);
  });

  it('an empty tape without a blame result in its metadata is not replaced either', async () => {
    const { store, agent } = await recordChain(1, () => 'good');
    await store.record({ id: 'chain.blame', metadata: { user: { note: 'mine' } } }).finish();
    const error = await rejection(
      blame({ store, run: 'chain', oracle: allGood, trials: 1, tail: {} }, agent),
    );
    expect((error as BlameError).code).toBe('BLAME_STORAGE_FAILED');
    expect((await store.load('chain.blame')).metadata.user).toEqual({ note: 'mine' });
  });
});

describe('errors', () => {
  it('refuses what it cannot blame, with stable codes', async () => {
    const { store, agent, path } = await recordChain(1, () => 'good');
    const base = { store, run: 'chain', oracle: allGood, tail: {} };
    const code = async (promise: Promise<unknown>) => {
      const error = await rejection(promise);
      expect(BlameError.isInstance(error)).toBe(true);
      return (error as BlameError).code;
    };
    expect(await code(blame({ ...base, run: 'missing' }, agent))).toBe('BLAME_NO_RUN');
    // A recording that never finished.
    const unfinished = store.record({ id: 'unfinished' });
    unfinished.append({
      type: 'draw',
      kind: 'random.int',
      value: { min: '0', max: '1', value: '1' },
    });
    const refused = await rejection(blame({ ...base, run: 'unfinished' }, agent));
    expect((refused as BlameError).code).toBe('BLAME_RUN_UNUSABLE');
    expect((refused as BlameError).details.reason).toBe('incomplete');
    expect(await code(blame({ ...base, path }, agent))).toBe('BLAME_INVALID_OPTION');
    expect(await code(blame({ ...base, trials: 0 }, agent))).toBe('BLAME_INVALID_OPTION');
    expect(await code(blame({ ...base, q: 1 }, agent))).toBe('BLAME_INVALID_OPTION');
    expect(await code(blame({ ...base, adaptive: { extraTrials: -1 } }, agent))).toBe(
      'BLAME_INVALID_OPTION',
    );
    expect(await code(blame({ ...base, steps: [{ exchange: 9 }] }, agent))).toBe(
      'BLAME_INVALID_OPTION',
    );
    expect(await code(blame({ ...base, oracle: undefined as never }, agent))).toBe(
      'BLAME_INVALID_OPTION',
    );
    // Another agent: its replay leaves the tape.
    const other = chainAgent('http://127.0.0.1:9/x', 1);
    expect(await code(blame(base, other))).toBe('BLAME_REPLAY_FAILED');
    // An agent that throws on the run itself.
    const throwing = async (ctx: Parameters<typeof agent>[0]) => {
      await agent(ctx);
      throw new Error('broken');
    };
    expect(await code(blame(base, throwing))).toBe('BLAME_PARENT_ERRORED');
    expect(await code(blame({ ...base, budget: { usd: 1 } }, agent))).toBe('BLAME_NO_PRICE');
    expect(await code(blame({ ...base, steps: { exchange: 0 } as never }, agent))).toBe(
      'BLAME_INVALID_OPTION',
    );
    const throwing1 = {
      name: 'broken',
      intervene: () => {
        throw new Error('no');
      },
    };
    expect(await code(blame({ ...base, perturb: throwing1 }, agent))).toBe('BLAME_INVALID_OPTION');
    const later = {
      name: 'later',
      intervene: (_step: unknown, trial: number) => {
        if (trial > 0) throw new Error('no');
        return { kind: 'resample' as const };
      },
    };
    expect(await code(blame({ ...base, trials: 2, perturb: later }, agent))).toBe(
      'BLAME_INVALID_OPTION',
    );
    const badTail = () => {
      throw new Error('no tail');
    };
    expect(await code(blame({ ...base, tail: badTail }, agent))).toBe('BLAME_INVALID_OPTION');
    expect(await code(estimateBlame({ store, run: 'chain', trials: 1.5 }))).toBe(
      'BLAME_INVALID_OPTION',
    );
  });
});
