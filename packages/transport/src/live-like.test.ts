/**
 * What a caller sees of a response is what live fetch shows: the URL a redirect ended at and
 * `redirected`; and URLs fetch answers in-process (`data:`, `blob:`) are not exchanges.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Tape } from '@trace/tape';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFetch, replayFetch } from './index.js';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    if (req.url === '/old') {
      res.writeHead(302, { location: '/moved/new' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
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

const seen = async (response: Response) => ({
  url: response.url,
  redirected: response.redirected,
  status: response.status,
  body: await response.json(),
});

describe('a followed redirect', () => {
  it('shows the final URL and redirected, live, recording and replaying', async () => {
    const live = await seen(await fetch(`${base}/old`));
    expect(live).toEqual({
      url: `${base}/moved/new`,
      redirected: true,
      status: 200,
      body: { path: '/moved/new' },
    });
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    expect(await seen(await recording.fetch(`${base}/old`))).toEqual(live);
    const plain = await seen(await recording.fetch(`${base}/plain`));
    await recording.close();
    expect(plain).toMatchObject({ url: `${base}/plain`, redirected: false });

    const [event] = tape.events;
    expect(event?.type === 'exchange' && event.response?.redirectedTo).toBe(`${base}/moved/new`);
    const replay = replayFetch({ tape });
    expect(await seen(await replay.fetch(`${base}/old`))).toEqual(live);
    expect(await seen(await replay.fetch(`${base}/plain`))).toEqual(plain);
  });
});

describe('data: and blob: URLs', () => {
  it('are answered in-process, neither recorded nor replayed, and take no place among the exchanges', async () => {
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    expect(await (await recording.fetch('data:,hello')).text()).toBe('hello');
    const blob = URL.createObjectURL(new Blob(['from a blob']));
    expect(await (await recording.fetch(blob)).text()).toBe('from a blob');
    await recording.fetch(`${base}/after`);
    await recording.close();
    expect(tape.events).toHaveLength(1);
    expect(tape.events[0]).toMatchObject({ issueIndex: 0 });

    const replay = replayFetch({ tape });
    expect(await (await replay.fetch('data:text/plain;base64,aGk=')).text()).toBe('hi');
    await replay.fetch(`${base}/after`);
    expect(replay.report()).toMatchObject({ matched: 1, diverged: 0, unconsumed: [] });
  });

  it("keep the OpenAI SDK's capability probe off the tape", async () => {
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const client = new OpenAI({
      apiKey: 'k',
      baseURL: `${base}/v1`,
      fetch: recording.fetch,
      maxRetries: 0,
    });
    // An upload makes the SDK probe its fetch with `fetch('data:,')` first.
    await client.files
      .create({ file: await toFile(Buffer.from('x'), 'x.jsonl'), purpose: 'batch' })
      .catch(() => undefined);
    await recording.close();
    const urls = tape.events.map((e) => (e.type === 'exchange' ? e.request.url : e.type));
    expect(urls).toEqual([`${base}/v1/files`]);
  });
});
