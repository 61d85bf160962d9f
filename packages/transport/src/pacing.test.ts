/**
 * Recorded time: each exchange keeps when its head and its body's end arrived, and a paced replay
 * waits for them — whole bodies and failures too, not only stream chunks. Orders of events are
 * asserted here, never durations: each check sets a marker timer between two recorded moments
 * far apart, and the replay must put its events on either side of it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import type { ExchangeEvent } from '@trace/spec';
import { Tape } from '@trace/tape';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFetch, replayFetch } from './index.js';

const HEAD_DELAY = 200;
const BODY_DELAY = 200;

let server: Server;
let base: string;
beforeAll(async () => {
  // `/slow`: the head after HEAD_DELAY, the body BODY_DELAY later. `/limited`: a 429 asking the
  // client to wait.
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/limited') {
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': '7',
        'retry-after-ms': '7000',
      });
      res.end('{"error":"slow down"}');
      return;
    }
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end('{"done":true}'), BODY_DELAY);
    }, HEAD_DELAY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

async function recordSlow(): Promise<Tape> {
  const tape = Tape.create();
  const recording = recordFetch({ sink: tape });
  await (await recording.fetch(`${base}/slow`)).json();
  await recording.close();
  return tape;
}

/** The order in which the response's head, its body, and markers between them are seen. */
async function sequence(f: typeof fetch, marks: readonly number[]): Promise<string[]> {
  const seen: string[] = [];
  const timers = marks.map((ms, i) => setTimeout(() => seen.push(`mark ${i}`), ms));
  const response = await f(`${base}/slow`);
  seen.push('head');
  await response.json();
  seen.push('body');
  await new Promise((resolve) => setTimeout(resolve, Math.max(...marks) + 10));
  for (const timer of timers) clearTimeout(timer);
  return seen;
}

describe('recorded timing', () => {
  it('keeps when the head and the end of a whole body arrived', async () => {
    const tape = await recordSlow();
    const { timing } = tape.events[0] as ExchangeEvent;
    // Lower bounds only, set by the server: neither can arrive before it was sent.
    expect(timing?.headersMs).toBeGreaterThanOrEqual(HEAD_DELAY - 1);
    expect(timing?.endMs).toBeGreaterThanOrEqual(HEAD_DELAY + BODY_DELAY - 1);
    expect(timing?.endMs).toBeGreaterThanOrEqual(timing?.headersMs ?? Number.POSITIVE_INFINITY);
  });

  it('is waited for by a paced replay, head and body, and not by an unpaced one', async () => {
    const tape = await recordSlow();
    const { timing } = tape.events[0] as ExchangeEvent;
    const headersMs = timing?.headersMs ?? 0;
    const endMs = timing?.endMs ?? 0;
    const marks = [headersMs / 2, (headersMs + endMs) / 2];
    expect(await sequence(replayFetch({ tape, pace: true }).fetch, marks)).toEqual([
      'mark 0',
      'head',
      'mark 1',
      'body',
    ]);
    expect(await sequence(replayFetch({ tape }).fetch, marks)).toEqual([
      'head',
      'body',
      'mark 0',
      'mark 1',
    ]);
    // Scaled: half the recorded time, so the first marker now falls after the whole response.
    expect(await sequence(replayFetch({ tape, pace: 0.25 }).fetch, [endMs / 2])).toEqual([
      'head',
      'body',
      'mark 0',
    ]);
  });
});

describe('a recorded retry-after', () => {
  const served = async (pace: boolean | number | undefined) => {
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    await recording.fetch(`${base}/limited`);
    await recording.close();
    const response = await replayFetch({ tape, ...(pace === undefined ? {} : { pace }) }).fetch(
      `${base}/limited`,
    );
    return [response.headers.get('retry-after'), response.headers.get('retry-after-ms')];
  };

  it('is served as 0 unless pacing asks for the wait, then scaled', async () => {
    expect(await served(undefined)).toEqual(['0', '0']);
    expect(await served(true)).toEqual(['7', '7000']);
    expect(await served(0.5)).toEqual(['3.5', '3500']);
  });

  it('does not make the official Anthropic SDK wait on replay', async () => {
    const llm = await startLlmServer({
      script: [
        { status: 429, headers: { 'retry-after': '2', 'retry-after-ms': '1500' } },
        { text: 'after the wait' },
      ],
    });
    const ask = (f: typeof fetch) =>
      new Anthropic({ apiKey: 'k', baseURL: llm.anthropicBaseURL, fetch: f }).messages
        .create({
          model: 'claude-test',
          max_tokens: 8,
          messages: [{ role: 'user', content: 'hi' }],
        })
        .then((m) => (m.content[0] as { text: string }).text);
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    expect(await ask(recording.fetch)).toBe('after the wait');
    await recording.close();
    await llm.close();
    const seen: string[] = [];
    // The SDK would sleep 1.5 s on the recorded header: the reply must come before this fires.
    const timer = setTimeout(() => seen.push('the recorded wait passed'), 1400);
    const replay = replayFetch({ tape });
    seen.push(await ask(replay.fetch));
    clearTimeout(timer);
    expect(seen).toEqual(['after the wait']);
    expect(replay.report()).toMatchObject({ matched: 2, unconsumed: [] });
  });
});
