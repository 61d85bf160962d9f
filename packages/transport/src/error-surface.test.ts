/**
 * Recording must not move where an error surfaces: a connection cut while a whole (not streamed)
 * body arrives fails the caller's read of the body, not `fetch()`, live, recording and replaying
 * alike — or an SDK retries a call it would have made once, and is billed for it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { Tape } from '@trace/tape';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFetch, replayFetch } from './index.js';

const apiKey = ['test', 'key', Math.random().toString(36).slice(2)].join('-');

/** Sends the head and half of a JSON body, then cuts the connection. */
async function startCuttingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ answer: 'x'.repeat(200) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.write(body.slice(0, 50), () => setTimeout(() => res.socket?.destroy(), 10));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cut`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a caller sees: whether fetch resolved, and how reading the body ended. */
async function observe(f: typeof fetch, url: string) {
  let response: Response;
  try {
    response = await f(url, { method: 'POST', body: '{}' });
  } catch (error) {
    return { fetch: 'rejected', error: (error as Error).name };
  }
  try {
    await response.json();
    return { fetch: 'resolved', body: 'read', status: response.status };
  } catch (error) {
    return {
      fetch: 'resolved',
      status: response.status,
      body: `${(error as Error).name}: ${(error as Error).message}`,
    };
  }
}

describe('a connection cut in the middle of a JSON body', () => {
  let server: Awaited<ReturnType<typeof startCuttingServer>>;
  beforeAll(async () => {
    server = await startCuttingServer();
  });
  afterAll(() => server.close());

  it('resolves fetch and fails the read, live, recording and replaying', async () => {
    const live = await observe(fetch, server.url);
    expect(live).toEqual({ fetch: 'resolved', status: 200, body: 'TypeError: terminated' });

    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    expect(await observe(recording.fetch, server.url)).toEqual(live);
    await recording.close();
    const [event] = tape.events;
    expect(event?.type === 'exchange' && event.response?.body).toMatchObject({
      kind: 'stream',
      end: { kind: 'error', error: { name: 'TypeError', message: 'terminated' } },
    });

    const replay = replayFetch({ tape });
    expect(await observe(replay.fetch, server.url)).toEqual(live);
    expect(() => replay.assertConsumed()).not.toThrow();
  });

  it('makes the official Anthropic SDK try as often as it does live, and replays that', async () => {
    const llm = await startLlmServer();
    const attempt = async (f: typeof fetch | undefined) => {
      llm.enqueue({ text: 'cut short', abortAfterChunks: 0 });
      const before = llm.requests.length;
      const client = new Anthropic({
        apiKey,
        baseURL: llm.anthropicBaseURL,
        ...(f === undefined ? {} : { fetch: f }),
      });
      const error = await client.messages
        .create({
          model: 'claude-test',
          max_tokens: 8,
          messages: [{ role: 'user', content: 'hi' }],
        })
        .then(
          () => undefined,
          (e: Error) => `${e.constructor.name}: ${e.message}`,
        );
      // Whatever is left of the queue (a retry takes a step) is dropped before the next attempt.
      return { error, attempts: llm.requests.length - before };
    };
    const live = await attempt(undefined);
    expect(live.error).toBeDefined();

    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const recorded = await attempt(recording.fetch);
    await recording.close();
    expect(recorded).toEqual(live);
    expect(tape.counts.exchange).toBe(live.attempts);
    await llm.close();

    const replay = replayFetch({ tape });
    const client = new Anthropic({ apiKey, baseURL: llm.anthropicBaseURL, fetch: replay.fetch });
    const replayed = await client.messages
      .create({ model: 'claude-test', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (e: Error) => `${e.constructor.name}: ${e.message}`,
      );
    expect(replayed).toBe(live.error);
    expect(replay.report()).toMatchObject({ matched: live.attempts, unconsumed: [] });
  });
});
