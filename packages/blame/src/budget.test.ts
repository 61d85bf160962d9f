import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type AgentContext, runAgent } from '@trace/run';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  allGood,
  chainAgent,
  recordChain,
  rejection,
  seededTail,
  tempDir,
} from './__tests__/chain.js';
import { BlameError, blame, estimateBlame, matchesText } from './index.js';

const prices = { '*': { input: 3, output: 15 } };

describe('the estimate', () => {
  it('counts, for each step, the recorded tail after it times the trials, and prices it', async () => {
    const { store } = await recordChain(4, () => 'good');
    const estimate = await estimateBlame({ store, run: 'chain', trials: 6, prices });
    // Tails: draw 0 and draw 1 (before every call) 4 calls; exchange i resampled: 4 - i.
    expect(estimate.steps.map((s) => s.calls)).toEqual([4, 4, 4, 3, 2, 1]);
    expect(estimate.calls).toBe(18 * 6);
    expect(estimate.tokens).toBe(18 * 6 * 15); // usage: 10 in, 5 out per call
    expect(estimate.usd).toBeCloseTo((18 * 6 * (10 * 3 + 5 * 15)) / 1e6, 12);
    expect(estimate.measured).toBe(true);
    expect(estimate.trials).toBe(36);
    // Adaptive: the worst case, every step getting its extra trials.
    const adaptive = await estimateBlame({
      store,
      run: 'chain',
      trials: 6,
      adaptive: { extraTrials: 4 },
    });
    expect(adaptive.calls).toBe(18 * 10);
    expect(adaptive.usd).toBeUndefined();
    // A replaced answer is not a call: drop-message at exchange i costs the calls after it.
    const dropped = await estimateBlame({
      store,
      run: 'chain',
      trials: 1,
      steps: [{ exchange: 0 }],
      perturb: { name: 'replace', intervene: () => ({ kind: 'message', text: '' }) },
    });
    expect(dropped.calls).toBe(3);
  });

  it('matches what a blame spends when the tails answer as the recording did', async () => {
    const { store, agent } = await recordChain(3, () => 'good');
    const options = { store, run: 'chain', trials: 3, prices };
    const estimate = await estimateBlame(options);
    const result = await blame({ ...options, oracle: allGood, tail: {} }, agent);
    expect(result.spend.calls).toBe(estimate.calls);
    expect(result.spend.tokens).toBe(estimate.tokens);
    expect(result.spend.usd).toBeCloseTo(estimate.usd!, 12);
    expect(result.estimate).toEqual({
      calls: estimate.calls,
      tokens: estimate.tokens,
      usd: estimate.usd,
    });
  });
});

describe('the budget', () => {
  it('refuses up front, spending nothing, when the estimate exceeds it', async () => {
    const { store, agent, world } = await recordChain(3, () => 'good');
    const estimate = await estimateBlame({ store, run: 'chain', trials: 4, prices });
    const asked = world.asked.length;
    for (const budget of [
      { calls: estimate.calls - 1 },
      { tokens: estimate.tokens - 1 },
      { usd: estimate.usd! * 0.99 },
    ]) {
      const error = await rejection(
        blame({ store, run: 'chain', trials: 4, prices, budget, oracle: allGood, tail: {} }, agent),
      );
      expect(BlameError.isInstance(error)).toBe(true);
      expect((error as BlameError).code).toBe('BLAME_OVER_BUDGET');
      expect((error as BlameError).message).toContain('Lower `trials`');
      expect((error as BlameError).details.estimate).toEqual({
        calls: estimate.calls,
        tokens: estimate.tokens,
        usd: estimate.usd,
      });
    }
    expect(
      (
        (await rejection(
          blame(
            {
              store,
              run: 'chain',
              trials: 4,
              budget: { calls: estimate.calls - 1 },
              oracle: allGood,
              tail: {},
            },
            agent,
          ),
        )) as BlameError
      ).message,
    ).toMatch(
      new RegExp(`estimated at ${estimate.calls} live calls \\(budget ${estimate.calls - 1}\\)`),
    );
    expect(world.asked.length).toBe(asked);
    expect(store.list().map((t) => t.id)).toEqual(['chain']);
    // At the estimate exactly, it runs.
    const result = await blame(
      {
        store,
        run: 'chain',
        trials: 4,
        budget: { calls: estimate.calls },
        oracle: allGood,
        tail: {},
      },
      agent,
    );
    expect(result.partial).toBe(false);
    expect(result.spend.calls).toBe(estimate.calls);
  });

  it('stops cleanly when the spend reaches it: no new trial, no call over it, the cut trials UNDEFINED, partial', async () => {
    // The trials' tails run longer than the recording: the model says "again" twice at every
    // step before "good", so each trial makes three times the calls the estimate expects.
    const { store, agent, world } = await recordChain(3, ({ seed, attempt }) =>
      seed !== undefined && attempt < 2 ? 'again' : 'good',
    );
    const trials = 4;
    const estimate = await estimateBlame({ store, run: 'chain', trials });
    const before = world.asked.length;
    const progress: number[] = [];
    const result = await blame(
      {
        store,
        run: 'chain',
        trials,
        budget: { calls: estimate.calls },
        oracle: allGood,
        concurrency: 3,
        tail: (trial) => ({ fetch: seededTail(trial.seed) }),
        onProgress: ({ done }) => progress.push(done),
      },
      agent,
    );
    expect(result.partial).toBe(true);
    expect(result.spend.calls).toBeLessThanOrEqual(estimate.calls);
    expect(world.asked.length - before).toBe(result.spend.calls);
    const cut = result.steps.reduce((n, s) => n + s.reasons.cut, 0);
    expect(cut).toBeGreaterThan(0);
    for (const s of result.steps) {
      expect(s.trials).toBe(trials);
      expect(s.valid + s.undefined).toBe(trials);
      expect(s.flips).toBe(0); // an "again" loop still ends good: no trial flips
    }
    // Every trial is accounted for, and progress reached the planned total.
    expect(progress.at(-1)).toBe(result.steps.length * trials);
    expect(result.responsible).toEqual([]);
  });

  it('a token budget cuts too, and an agent that catches the refused call still has its trial cut, not judged', async () => {
    const { store, world } = await recordChain(2, ({ seed, attempt }) =>
      seed !== undefined && attempt < 3 ? 'again' : 'good',
    );
    // This agent swallows a failed call and answers "good" anyway: were its trial judged, a
    // refused call would look like a normal run.
    const forgiving = chainAgent(world.url, 2, { forgive: true });
    const trials = 3;
    const estimate = await estimateBlame({ store, run: 'chain', trials });
    const result = await blame(
      {
        store,
        run: 'chain',
        trials,
        budget: { tokens: estimate.tokens },
        oracle: allGood,
        concurrency: 2,
        tail: (trial) => ({ fetch: seededTail(trial.seed) }),
      },
      forgiving,
    );
    expect(result.partial).toBe(true);
    // A call is refused once the tokens reach the budget; the calls in flight then may pass it
    // by their own tokens (15 each), no more.
    expect(result.spend.tokens).toBeLessThanOrEqual(estimate.tokens + 2 * 15);
    const cut = result.steps.reduce((n, s) => n + s.reasons.cut, 0);
    expect(cut).toBeGreaterThan(0);
    expect(result.steps.every((s) => s.flips === 0)).toBe(true);
    // A valid trial made its whole tail: four calls per exchange after its step (tails of 2, 2,
    // 2 and 1 exchanges). A refused trial counted valid would have made fewer.
    const full = [8, 8, 8, 4];
    const validCalls = result.steps.reduce((n, s, i) => n + s.valid * full[i]!, 0);
    expect(validCalls).toBeLessThanOrEqual(result.spend.calls);
  });
});

describe('a dollar budget', () => {
  // The recording asks only the priced model; in the trials the model says "again" at first,
  // and the agent re-asks with a model the price table does not list.
  const unpricedRetry =
    (unpriced: (step: number) => NonNullable<RequestInit['body']>) =>
    (step: number, attempt: number) =>
      attempt === 0 ? JSON.stringify({ step, attempt, model: 'priced-model' }) : unpriced(step);
  const priced = { 'priced-model': { input: 3, output: 15 } };

  for (const [name, unpriced] of [
    [
      'a model the price table does not list',
      (step: number) => JSON.stringify({ step, attempt: 1, model: 'unlisted-model' }),
    ],
    [
      'a request that names no model, its body a Blob',
      (step: number) => new Blob([JSON.stringify({ step, attempt: 1 })]),
    ],
  ] as const)
    it(`refuses a tail call it cannot price (${name}): cut, partial, stopped, and dollars still counted`, async () => {
      const body = unpricedRetry(unpriced);
      const { store, world } = await recordChain(
        2,
        ({ seed, attempt }) => (seed !== undefined && attempt === 0 ? 'again' : 'good'),
        { body },
      );
      const agent = chainAgent(world.url, 2, { body });
      const trials = 3;
      const estimate = await estimateBlame({ store, run: 'chain', trials, prices: priced });
      expect(estimate.usd).toBeGreaterThan(0);
      const before = world.asked.length;
      const result = await blame(
        {
          store,
          run: 'chain',
          trials,
          prices: priced,
          // Ten times the estimate: the dollars alone would never stop this blame.
          budget: { usd: estimate.usd! * 10 },
          oracle: allGood,
          concurrency: 2,
          tail: (trial) => ({ fetch: seededTail(trial.seed) }),
        },
        agent,
      );
      // No unpriceable call reached the model: every tail call the server saw was a first ask.
      const tailCalls = world.asked.slice(before);
      expect(tailCalls.length).toBeGreaterThan(0);
      expect(tailCalls.every((a) => a.attempt === 0)).toBe(true);
      expect(result.spend.calls).toBe(tailCalls.length);
      // The dollars stayed counted: every call made was priced.
      expect(result.spend.usd).toBeCloseTo((tailCalls.length * (10 * 3 + 5 * 15)) / 1e6, 12);
      expect(result.partial).toBe(true);
      expect(result.stopped).toMatchObject({ code: 'BLAME_NO_PRICE' });
      expect(result.stopped!.message).toMatch(/add it to prices|add a "\*" entry/);
      // Every trial that asked again was cut, and after the first, none started.
      const cut = result.steps.reduce((n, s) => n + s.reasons.cut, 0);
      expect(cut).toBeGreaterThan(0);
      for (const s of result.steps) {
        expect(s.trials).toBe(trials);
        expect(s.valid + s.undefined).toBe(trials);
      }
      expect(result.responsible).toEqual([]);
    });

  it('a "*" entry prices every other model, and the blame runs whole', async () => {
    const body = unpricedRetry((step) =>
      JSON.stringify({ step, attempt: 1, model: 'unlisted-model' }),
    );
    const { store, world } = await recordChain(
      2,
      ({ seed, attempt }) => (seed !== undefined && attempt === 0 ? 'again' : 'good'),
      { body },
    );
    const agent = chainAgent(world.url, 2, { body });
    const all = { ...priced, '*': { input: 1, output: 2 } };
    const estimate = await estimateBlame({ store, run: 'chain', trials: 2, prices: all });
    const result = await blame(
      {
        store,
        run: 'chain',
        trials: 2,
        prices: all,
        budget: { usd: estimate.usd! * 10 },
        oracle: allGood,
        tail: (trial) => ({ fetch: seededTail(trial.seed) }),
      },
      agent,
    );
    expect(result.partial).toBe(false);
    expect(result.stopped).toBeUndefined();
    expect(result.spend.calls).toBe(2 * estimate.calls);
    // Half the calls on the priced model, half re-asks on the "*" price.
    expect(result.spend.usd).toBeCloseTo(
      (estimate.calls * (10 * 3 + 5 * 15) + estimate.calls * (10 * 1 + 5 * 2)) / 1e6,
      12,
    );
  });
});

describe('metering a tail', () => {
  it('a stream the agent abandons (an endless one) does not hold its trial', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('data: {"tick":1}\n\n'), 5);
      res.on('close', () => clearInterval(timer));
    }).listen(0, '127.0.0.1');
    await new Promise((listening) => server.once('listening', listening));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/stream`;
    const agent = async ({ fetch }: AgentContext) => {
      const response = await fetch(url, { method: 'POST', body: '{}' });
      const reader = response.body!.getReader();
      const first = await reader.read();
      await reader.cancel();
      return new TextDecoder().decode(first.value);
    };
    const path = join(tempDir(), 'stream.tape.db');
    await runAgent({ path, id: 'stream', mode: 'record', env: {} }, agent);
    const result = await blame(
      { path, run: 'stream', oracle: matchesText(/tick/), trials: 2, tail: {} },
      agent,
    );
    expect(result.steps[0]).toMatchObject({ valid: 2, flips: 0 });
    expect(result.spend.calls).toBe(2);
  });
});
