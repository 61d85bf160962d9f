/**
 * `runAgent` around the agent: a failing agent's recording is finished and replays to the same
 * failure; an agent that swallows its SDK's divergence error still fails the run with the
 * divergence; `globals` decides whether the agent's global reads and `globalThis.fetch` are the
 * run's; a store the caller opened is used and left open; bad options are typed errors.
 */
import Anthropic from '@anthropic-ai/sdk';
import { openSqliteStore } from '@trace/store-sqlite';
import { describe, expect, it } from 'vitest';
import {
  anthropicKey,
  clients,
  eventKinds,
  listTapes,
  loadTape,
  rejection,
  startServer,
  storePath,
} from './__tests__/harness.js';
import { openRun, RunError, type RunOptions, runAgent } from './index.js';

describe('runAgent', () => {
  it('finishes the recording of an agent that fails, and its replay fails the same way', async () => {
    const server = await startServer();
    const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
    const options = { path: storePath(), id: 'failing', env: {} };
    const agent: Parameters<typeof runAgent>[1] = async (context) => {
      const reply = await clients(urls, context.fetch).anthropic.messages.create({
        model: 'claude-test',
        max_tokens: 32,
        messages: [{ role: 'user', content: 'Book it' }],
      });
      const ticket = context.source.uuidV4();
      throw new Error(`booking ${ticket} failed after ${JSON.stringify(reply.content)}`);
    };

    const recordedError = await rejection(runAgent(options, agent));
    expect(String(recordedError)).toContain('echo: Book it');
    expect(listTapes(options.path)).toEqual([
      expect.objectContaining({ id: 'failing', complete: true }),
    ]);
    expect(eventKinds(loadTape(options.path, 'failing').events)).toEqual(['exchange', 'uuid.v4']);

    await server.close();
    const replayedError = await rejection(runAgent(options, agent));
    expect(replayedError).toEqual(recordedError);
  });

  it('rejects with the divergence even when the agent caught its SDK error and returned', async () => {
    const server = await startServer();
    const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
    const options = { path: storePath(), id: 'swallowed', env: {} };
    const ask = (fetch: typeof globalThis.fetch, content: string) =>
      clients(urls, fetch)
        .anthropic.messages.create({
          model: 'claude-test',
          max_tokens: 32,
          messages: [{ role: 'user', content }],
        })
        .then(
          () => 'answered',
          () => 'gave up',
        );
    await runAgent(options, (context) => ask(context.fetch, 'original'));
    await server.close();

    let returned: string | undefined;
    const error = await rejection(
      runAgent(options, async (context) => {
        returned = await ask(context.fetch, 'changed');
        return returned;
      }),
    );
    expect(returned).toBe('gave up');
    expect(error).toMatchObject({ code: 'TRANSPORT_DIVERGED' });
    expect((error as Error).message).toContain('messages[0].content:');
  });

  it('serves globalThis.fetch and the global clock to the agent, unless globals is false', async () => {
    const server = await startServer();
    const options = { path: storePath(), env: {} };
    // A client made inside the run with no `fetch` option uses the global one: the run's.
    const agent = async () => {
      const client = new Anthropic({ apiKey: anthropicKey, baseURL: server.anthropicBaseURL });
      const reply = await client.messages.create({
        model: 'claude-test',
        max_tokens: 32,
        messages: [{ role: 'user', content: 'global fetch' }],
      });
      return { at: Date.now(), reply: reply.content };
    };
    const scoped = await runAgent({ ...options, id: 'scoped' }, agent);
    expect(scoped.report.exchanges.recorded).toBe(1);
    expect(scoped.report.draws.recorded).toBe(1);

    const unscoped = await runAgent({ ...options, id: 'unscoped', globals: false }, agent);
    expect(server.requests).toHaveLength(2);
    expect(unscoped.report.exchanges.recorded).toBe(0);
    expect(unscoped.report.draws.recorded).toBe(0);

    await server.close();
    const replayed = await runAgent({ ...options, id: 'scoped' }, agent);
    expect(replayed.value).toEqual(scoped.value);
    expect(replayed.report).toMatchObject({
      mode: 'replay',
      exchanges: { matched: 1 },
      draws: { consumed: 1 },
    });
  });

  it('uses a store the caller opened and leaves it open', async () => {
    const path = storePath();
    const store = openSqliteStore(path);
    try {
      const recorded = await runAgent({ store, id: 'mine', env: {} }, (context) =>
        context.source.uuidV4(),
      );
      expect(store.list().map((summary) => summary.id)).toEqual(['mine']);
      const replayed = await runAgent({ store, id: 'mine', env: {} }, (context) =>
        context.source.uuidV4(),
      );
      expect(replayed.value).toBe(recorded.value);
      expect(store.load('mine').fingerprint).toBe(recorded.report.fingerprint);
    } finally {
      store.close();
    }
  });

  it('refuses bad options with RUN_INVALID_OPTION', async () => {
    const path = storePath();
    const store = openSqliteStore(storePath());
    try {
      const cases: { options: unknown; option: string }[] = [
        { options: null, option: 'options' },
        { options: { id: 'x', env: {} }, option: 'store' },
        { options: { id: 'x', path, store, env: {} }, option: 'store' },
        { options: { id: 'x', store: {}, env: {} }, option: 'store' },
        { options: { id: 'x', path: '', env: {} }, option: 'path' },
      ];
      for (const { options, option } of cases) {
        const error = await rejection(openRun(options as RunOptions));
        expect(RunError.isInstance(error), JSON.stringify(options)).toBe(true);
        expect(error).toMatchObject({ code: 'RUN_INVALID_OPTION', details: { option } });
      }
    } finally {
      store.close();
    }
  });
});
