/**
 * A replay that leaves its tape fails at the first attempt, through both official SDKs, streamed
 * and not: the SDK makes one attempt (counted at the run's fetch: the server is closed, so none
 * reaches it), `runAgent` rejects with the TRANSPORT_DIVERGED error naming the JSON path that
 * differs, and an agent using the SDK directly gets an SDK error whose message — what a test
 * runner prints — carries the divergence and the path. A change at the end of a long system
 * prompt shows the changed words.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { LlmServer } from '@trace/llm-server';
import { NondetError } from '@trace/nondet';
import { TransportError } from '@trace/transport';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { clients, counting, rejection, startServer, storePath } from './__tests__/harness.js';
import { DIVERGENCE_HEADER, openRun, runAgent } from './index.js';

type Urls = Pick<LlmServer, 'anthropicBaseURL' | 'openaiBaseURL'>;

/** A long system prompt whose last words change: the diff must show them, not its opening. */
const LONG_PROMPT = `You are a careful travel planner. ${'Check every date, every price and every connection twice. '.repeat(40)}Always answer in`;
const ORIGINAL = `${LONG_PROMPT} English.`;
const CHANGED = `${LONG_PROMPT} French.`;

interface Call {
  readonly name: string;
  /** Where the system prompt sits in the request body. */
  readonly path: string;
  readonly call: (urls: Urls, fetch: typeof globalThis.fetch, system: string) => Promise<unknown>;
  /** The SDK's class for a 400. */
  readonly badRequest: new (
    ...args: never[]
  ) => Error;
}

const CALLS: readonly Call[] = [
  {
    name: 'Anthropic messages.create',
    path: 'system',
    badRequest: Anthropic.BadRequestError,
    call: async (urls, fetch, system) =>
      (
        await clients(urls, fetch).anthropic.messages.create({
          model: 'claude-test',
          max_tokens: 32,
          system,
          messages: [{ role: 'user', content: 'Where to?' }],
        })
      ).content,
  },
  {
    name: 'Anthropic messages.stream',
    path: 'system',
    badRequest: Anthropic.BadRequestError,
    call: async (urls, fetch, system) =>
      (
        await clients(urls, fetch)
          .anthropic.messages.stream({
            model: 'claude-test',
            max_tokens: 32,
            system,
            messages: [{ role: 'user', content: 'Where to?' }],
          })
          .finalMessage()
      ).content,
  },
  {
    name: 'OpenAI chat.completions.create',
    path: 'messages[0].content',
    badRequest: OpenAI.BadRequestError,
    call: async (urls, fetch, system) =>
      (
        await clients(urls, fetch).openai.chat.completions.create({
          model: 'gpt-test',
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: 'Where to?' },
          ],
        })
      ).choices[0]?.message,
  },
  {
    name: 'OpenAI chat.completions.create with stream: true',
    path: 'messages[0].content',
    badRequest: OpenAI.BadRequestError,
    call: async (urls, fetch, system) => {
      const stream = await clients(urls, fetch).openai.chat.completions.create({
        model: 'gpt-test',
        stream: true,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: 'Where to?' },
        ],
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    },
  },
];

/** Records one call with the original prompt and closes the server. */
async function recorded(call: Call) {
  const server = await startServer([{ text: 'Lisbon.' }]);
  const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
  const options = { path: storePath(), id: 'trip', env: {} };
  const { report } = await runAgent({ ...options, mode: 'record' }, (context) =>
    call.call(urls, context.fetch, ORIGINAL),
  );
  expect(report.exchanges.recorded).toBe(1);
  await server.close();
  return { urls, options, server };
}

/** The divergence's message says where, and shows the changed words rather than the opening. */
function expectNamesTheChange(message: string, path: string): void {
  expect(message).toContain('request 0');
  expect(message).toContain(`${path}:`);
  expect(message).toContain('English.');
  expect(message).toContain('French.');
}

describe('a divergence in replay fails at the first attempt', () => {
  for (const call of CALLS) {
    it(`${call.name}: runAgent rejects with TRANSPORT_DIVERGED naming ${call.path}, after one attempt`, async () => {
      const { urls, options, server } = await recorded(call);
      let attempts = 0;
      const error = await rejection(
        runAgent(options, async (context) => {
          const counted = counting(context.fetch);
          try {
            return await call.call(urls, counted.fetch, CHANGED);
          } finally {
            attempts = counted.calls;
          }
        }),
      );
      expect(attempts).toBe(1);
      expect(server.requests).toHaveLength(1);
      expect(TransportError.isInstance(error), String(error)).toBe(true);
      const diverged = error as TransportError;
      expect(diverged.code).toBe('TRANSPORT_DIVERGED');
      expectNamesTheChange(diverged.message, call.path);
    });

    it(`${call.name}: used directly through openRun, the SDK's own error names the divergence and ${call.path}`, async () => {
      const { urls, options } = await recorded(call);
      const run = await openRun(options);
      const counted = counting(run.fetch);
      const error = await rejection(call.call(urls, counted.fetch, CHANGED));
      expect(counted.calls).toBe(1);
      expect(counted.statuses).toEqual([400]);
      // What a test runner prints of the SDK's error says what happened, and where.
      expect(error).toBeInstanceOf(call.badRequest);
      const { message, headers } = error as Error & { headers: Headers };
      expect(message).toContain('@trace replay diverged');
      expectNamesTheChange(message, call.path);
      expect(headers.get(DIVERGENCE_HEADER)).toBe('TRANSPORT_DIVERGED');

      expect(run.divergence?.code).toBe('TRANSPORT_DIVERGED');
      expectNamesTheChange(run.divergence?.message ?? '', call.path);
      expect(run.report().divergence).toMatchObject({
        kind: 'exchange',
        code: 'TRANSPORT_DIVERGED',
        message: run.divergence?.message,
      });
      await expect(run.close()).rejects.toBe(run.divergence);
    });
  }

  it('a changed user message is named by its path, messages[0].content', async () => {
    const server = await startServer([{ text: 'Lisbon.' }]);
    const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
    const options = { path: storePath(), id: 'question', env: {} };
    const ask = (fetch: typeof globalThis.fetch, content: string) =>
      clients(urls, fetch).anthropic.messages.create({
        model: 'claude-test',
        max_tokens: 32,
        messages: [{ role: 'user', content }],
      });
    await runAgent(options, (context) => ask(context.fetch, 'Where should I go in May?'));
    await server.close();

    const error = await rejection(
      runAgent(options, (context) => ask(context.fetch, 'Where should I go in June?')),
    );
    expect(TransportError.isInstance(error) && error.code).toBe('TRANSPORT_DIVERGED');
    const { message } = error as TransportError;
    expect(message).toContain('messages[0].content:');
    expect(message).toContain('May?');
    expect(message).toContain('June?');
  });

  it('a draw of another kind fails the run with NONDET_DIVERGED, kept in the report', async () => {
    const options = { path: storePath(), id: 'draws', env: {} };
    await runAgent(options, (context) => context.source.uuidV4());

    const run = await openRun(options);
    expect(() => run.scope(() => Math.random())).toThrow(
      expect.objectContaining({ code: 'NONDET_DIVERGED' }),
    );
    expect(NondetError.isInstance(run.divergence)).toBe(true);
    expect(run.report().divergence).toMatchObject({ kind: 'draw', code: 'NONDET_DIVERGED' });
    await expect(run.close()).rejects.toBe(run.divergence);

    await expect(runAgent(options, () => Date.now())).rejects.toMatchObject({
      code: 'NONDET_DIVERGED',
    });
  });
});
