/**
 * The proxy's own behaviour: streams passed through chunk by chunk, the draw interface, runs
 * opened and finished through the control endpoint, and its refusals.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLlmServer } from '@trace/llm-server';
import { openSqliteStore } from '@trace/store-sqlite';
import { describe, expect, it } from 'vitest';
import { proxyWith, storePath } from './__tests__/support.js';
import { ProxyError, startProxy } from './index.js';

/**
 * An upstream that streams server-sent events one at a time, sending each only once the test says
 * its client has received the one before — so a client can read event n only if everything in
 * between passed event n-1 on without waiting for more.
 */
async function startLockstepServer(events: number) {
  let acknowledged = 0;
  let wake: (() => void) | undefined;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < events; i++) {
        res.write(`data: ${i}\n\n`);
        while (acknowledged <= i) await new Promise<void>((resolve) => (wake = resolve));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    acknowledge(n: number) {
      acknowledged = n;
      wake?.();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the proxy answers with its own JSON: a draw's value, a run's, or an error. */
interface Reply {
  readonly value?: unknown;
  readonly id?: string;
  readonly mode?: string;
  readonly report?: Record<string, unknown> | null;
  readonly error: { readonly code: string; readonly message: string };
}

/** A reply's JSON body. */
async function reply(response: Response): Promise<Reply> {
  return (await response.json()) as Reply;
}

/** Reads SSE events one at a time from `response`, calling `each(n)` after the n-th. */
async function readEvents(response: Response, each: (n: number) => void): Promise<string[]> {
  const events: string[] = [];
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    let end = text.indexOf('\n\n');
    while (end >= 0) {
      events.push(text.slice(0, end));
      text = text.slice(end + 2);
      each(events.length);
      end = text.indexOf('\n\n');
    }
  }
  return events;
}

describe('streams', () => {
  it('reach the client event by event while recording — no event waits for the next — and replay with their boundaries', async () => {
    const upstream = await startLockstepServer(5);
    const path = storePath();
    const recording = await proxyWith({ path, id: 'stream', upstreams: [upstream.url] });
    // A proxy that buffered would deadlock here: the upstream sends event n+1 only after the
    // client has read event n. The test fails on its timeout then.
    const live = await readEvents(
      await fetch(`${recording.proxy.url}/v1/stream`, { method: 'POST', body: '{}' }),
      (n) => upstream.acknowledge(n),
    );
    expect(live).toEqual(['data: 0', 'data: 1', 'data: 2', 'data: 3', 'data: 4']);
    await recording.proxy.close();
    await upstream.close();

    const store = openSqliteStore(path, { readonly: true });
    const [event] = store.load('stream').events;
    store.close();
    expect(
      event?.type === 'exchange' &&
        event.response?.body?.kind === 'stream' &&
        event.response.body.chunks.length,
    ).toBe(5);

    const replaying = await proxyWith({ path, id: 'stream', upstreams: [upstream.url] });
    const replayed = await readEvents(
      await fetch(`${replaying.proxy.url}/v1/stream`, { method: 'POST', body: '{}' }),
      () => {},
    );
    expect(replayed).toEqual(live);
    await replaying.proxy.close();
  });
});

describe('draws', () => {
  const kinds = [
    'clock.wall',
    'clock.monotonic',
    'uuid.v4',
    'uuid.v7',
    'random.float',
    'random.int?min=1&max=6',
    'random.bytes?length=8',
    'uuid.v4?stream=worker-2',
  ];
  const drawAll = async (base: string) => {
    const values: unknown[] = [];
    for (const kind of kinds)
      values.push((await reply(await fetch(`${base}/__trace/draw/${kind}`))).value);
    const source = await fetch(`${base}/__trace/draw/source/env.REGION`, {
      method: 'POST',
      body: JSON.stringify({ value: `region-${Math.random()}` }),
    });
    values.push((await reply(source)).value);
    return values;
  };

  it('are recorded into the run’s tape and served back on replay, each of its kind', async () => {
    const path = storePath();
    const recording = await proxyWith({ path, id: 'draws', upstreams: ['http://127.0.0.1:9'] });
    const live = await drawAll(recording.proxy.url);
    expect(live[2]).toMatch(/^[0-9a-f-]{36}$/);
    expect(live[5]).toBeGreaterThanOrEqual(1);
    const recorded = await recording.proxy.close();
    expect(recorded?.draws.recorded).toBe(kinds.length + 1);

    const replaying = await proxyWith({ path, id: 'draws', upstreams: ['http://127.0.0.1:9'] });
    expect(await drawAll(replaying.proxy.url)).toEqual(live);
    expect(await replaying.proxy.close()).toMatchObject({
      draws: { consumed: kinds.length + 1, unconsumed: 0 },
    });
  });

  it('answer a draw out of turn with 409 and the divergence, and a malformed one with 400', async () => {
    const path = storePath();
    const recording = await proxyWith({ path, id: 'turn', upstreams: ['http://127.0.0.1:9'] });
    await fetch(`${recording.proxy.url}/__trace/draw/uuid.v4`);
    const bad = await fetch(`${recording.proxy.url}/__trace/draw/random.int?min=1`);
    expect(bad.status).toBe(400);
    expect((await reply(bad)).error).toMatchObject({ code: 'PROXY_BAD_REQUEST' });
    const unknown = await fetch(`${recording.proxy.url}/__trace/draw/dice`);
    expect((await reply(unknown)).error.message).toContain('use clock.wall, clock.monotonic');
    await recording.proxy.close();

    const replaying = await proxyWith({ path, id: 'turn', upstreams: ['http://127.0.0.1:9'] });
    const drifted = await fetch(`${replaying.proxy.url}/__trace/draw/clock.wall`);
    expect(drifted.status).toBe(409);
    expect((await reply(drifted)).error).toMatchObject({ code: 'NONDET_DIVERGED' });
    expect(replaying.lines.some((line) => line.includes('diverged'))).toBe(true);
    await expect(replaying.proxy.close()).rejects.toMatchObject({ code: 'NONDET_DIVERGED' });
  });
});

describe('runs through the control endpoint', () => {
  it('give each test its own tape, and report an unused recording when a run finishes', async () => {
    const server = await startLlmServer();
    const path = storePath();
    const { proxy } = await proxyWith({ path, upstreams: [server.anthropicBaseURL] });
    const ask = (text: string) =>
      fetch(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'm',
          max_tokens: 8,
          messages: [{ role: 'user', content: text }],
        }),
      });
    const none = await ask('too early');
    expect(none.status).toBe(503);
    expect((await reply(none)).error.code).toBe('PROXY_NO_RUN');

    const control = async (path: string, body?: unknown) => {
      const response = await fetch(`${proxy.url}/__trace/runs${path}`, {
        method: 'POST',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await reply(response) };
    };
    for (const id of ['suite/first', 'suite/second']) {
      expect(await control('', { id })).toMatchObject({
        status: 200,
        body: { id, mode: 'record' },
      });
      await ask(`question of ${id}`);
    }
    const finished = await control('/finish');
    expect(finished.body.report).toMatchObject({ id: 'suite/second', complete: true });
    const store = openSqliteStore(path, { readonly: true });
    expect(store.list().map((t) => [t.id, t.counts.exchange])).toEqual([
      ['suite/first', 1],
      ['suite/second', 1],
    ]);
    store.close();

    // Replayed: the first run asks nothing, so finishing it reports the unused recording.
    await control('', { id: 'suite/first' });
    const unused = await control('/finish');
    expect(unused.status).toBe(409);
    expect(unused.body.error.code).toBe('RUN_UNCONSUMED');
    expect(unused.body.error.message).toContain(
      `exchange 0 (tape seq 0): POST ${server.anthropicBaseURL}/v1/messages`,
    );
    await proxy.close();
    await server.close();
  });
});

describe('refusals', () => {
  it('bad options, a port in use and a path no upstream serves get typed errors saying what to do', async () => {
    for (const upstreams of [
      [],
      ['not a url'],
      ['ftp://example.com'],
      ['https://user:pw@example.com'],
      ['/a=http://x', '/a=http://y'],
    ]) {
      const error = await startProxy({ path: storePath(), upstreams }).catch((e: unknown) => e);
      expect(ProxyError.isInstance(error) && error.code, JSON.stringify(upstreams)).toBe(
        'PROXY_INVALID_OPTION',
      );
      expect((error as Error).message).not.toContain('pw@');
    }
    const { proxy } = await proxyWith({
      path: storePath(),
      id: 'x',
      upstreams: ['/openai=http://127.0.0.1:9'],
    });
    const taken = await startProxy({
      path: storePath(),
      upstreams: ['http://127.0.0.1:9'],
      port: proxy.port,
    }).catch((e: unknown) => e);
    expect(ProxyError.isInstance(taken) && taken.code).toBe('PROXY_LISTEN_FAILED');
    const nowhere = await fetch(`${proxy.url}/anthropic/v1/messages`, {
      method: 'POST',
      body: '{}',
    });
    expect(nowhere.status).toBe(404);
    expect((await reply(nowhere)).error).toMatchObject({ code: 'PROXY_NO_UPSTREAM' });
    await proxy.close();
  });
});
