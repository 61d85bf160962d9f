/**
 * Identical requests in flight together are paired by the order they were issued: each replayed
 * caller gets the answer its own request got when recording, whatever order the server completed
 * them in then, and whatever order they complete in now.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { Tape } from '@trace/tape';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFetch, replayFetch } from './index.js';

const apiKey = ['test', 'key', Math.random().toString(36).slice(2)].join('-');

describe('identical concurrent requests', () => {
  it('replay to the caller that made them, with the official Anthropic SDK, when the server answered in reverse order', async () => {
    const n = 5;
    let arrived = 0;
    let release: () => void = () => {};
    const allArrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Answers the k-th request to arrive with `answer k`, once all have arrived, the last first.
    const server = await startLlmServer({
      respond: async () => {
        const k = arrived++;
        if (arrived === n) release();
        await allArrived;
        return { text: `answer ${k}`, delayMs: (n - k) * 25 };
      },
    });
    const ask = (f: typeof fetch) => {
      const client = new Anthropic({ apiKey, baseURL: server.anthropicBaseURL, fetch: f });
      return Promise.all(
        Array.from({ length: n }, () =>
          client.messages
            .create({
              model: 'claude-test',
              max_tokens: 16,
              messages: [{ role: 'user', content: 'Pick a number' }],
            })
            .then((message) => (message.content[0] as { text: string }).text),
        ),
      );
    };
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const live = await ask(recording.fetch);
    await recording.close();
    await server.close();
    expect(new Set(live).size).toBe(n);

    // The tape holds them as they completed, each with the place it was issued in.
    const exchanges = tape.events.filter((e) => e.type === 'exchange');
    expect(exchanges.map((e) => e.issueIndex).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(exchanges.map((e) => e.issueIndex)).not.toEqual([0, 1, 2, 3, 4]);

    const replay = replayFetch({ tape });
    expect(await ask(replay.fetch)).toEqual(live);
    expect(replay.report()).toMatchObject({ matched: n, diverged: 0, unconsumed: [] });
  });
});

/**
 * A server that holds every request until `expected` have arrived, then answers them in the
 * order `completion` gives (positions in arrival order), each with a token naming its arrival.
 */
interface HoldingServer {
  readonly url: string;
  hold(expected: number, completion: readonly number[]): void;
  close(): Promise<void>;
}

async function startHoldingServer(): Promise<HoldingServer> {
  let waiting: { body: string; answer: (text: string) => void }[] = [];
  let expected = 0;
  let completion: readonly number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      waiting.push({
        body: Buffer.concat(chunks).toString('utf8'),
        answer: (text) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(text);
        },
      });
      if (waiting.length < expected) return;
      const held = waiting;
      waiting = [];
      (async () => {
        for (const k of completion) {
          const request = held[k] as (typeof held)[number];
          request.answer(JSON.stringify({ arrival: k, body: request.body, nonce: Math.random() }));
          // Lets the client take each answer before the next is sent, so completion order holds.
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hold(count, order) {
      expected = count;
      completion = order;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('pairing by issue order (property)', () => {
  let server: HoldingServer;
  beforeAll(async () => {
    server = await startHoldingServer();
  });
  afterAll(() => server.close());

  it('gives every caller its own recorded answer, for any mix of identical requests, any completion order then and now', async () => {
    const scenario = fc
      .array(fc.record({ body: fc.constantFrom('a', 'b', 'c'), asRequest: fc.boolean() }), {
        minLength: 1,
        maxLength: 7,
      })
      .chain((calls) =>
        fc.record({
          calls: fc.constant(calls),
          // The order the server completes them in when recording.
          completion: fc.shuffledSubarray(
            calls.map((_, i) => i),
            { minLength: calls.length, maxLength: calls.length },
          ),
          // How long each replayed caller waits before reading its answer, so replayed answers
          // are taken in any order too.
          readDelays: fc.array(fc.integer({ min: 0, max: 3 }), {
            minLength: calls.length,
            maxLength: calls.length,
          }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ calls, completion, readDelays }) => {
        // Each caller issues in turn (fetch is called in order), some through a Request object,
        // whose snapshot is taken asynchronously.
        const issue = (f: typeof fetch) =>
          calls.map(({ body, asRequest }) => {
            const url = `${server.url}/v1/messages`;
            const init = { method: 'POST', body: JSON.stringify({ prompt: body }) };
            return asRequest ? f(new Request(url, init)) : f(url, init);
          });
        server.hold(calls.length, completion);
        const tape = Tape.create();
        const recording = recordFetch({ sink: tape });
        const live = await Promise.all(issue(recording.fetch).map(async (r) => (await r).text()));
        await recording.close();

        const replay = replayFetch({ tape });
        const replayed = await Promise.all(
          issue(replay.fetch).map(async (pending, i) => {
            await new Promise((resolve) => setTimeout(resolve, readDelays[i]));
            return (await pending).text();
          }),
        );
        expect(replayed).toEqual(live);
        expect(replay.report()).toMatchObject({ matched: calls.length, unconsumed: [] });
      }),
      { numRuns: 40 },
    );
  });
});
