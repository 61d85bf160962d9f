import { type ExchangeEvent, Tape } from '@trace/tape';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BINARY,
  readChunks,
  refusedPort,
  SSE_EVENTS,
  startTestServer,
  type TestServer,
} from './__tests__/http-server.js';
import { recordFetch, replayFetch, TransportError } from './index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Records `run` against the live server into a fresh tape, then returns the tape. */
async function record(run: (f: typeof fetch) => Promise<void>): Promise<Tape> {
  const tape = Tape.create();
  const recording = recordFetch({ sink: tape });
  await run(recording.fetch);
  await recording.close();
  return tape;
}

const exchanges = (tape: Tape) =>
  tape.events.filter((e): e is ExchangeEvent => e.type === 'exchange');

describe('record then replay', () => {
  it('serves JSON, binary, compressed and empty responses exactly as the caller first saw them', async () => {
    const seen: unknown[] = [];
    const calls = async (f: typeof fetch, out: unknown[]) => {
      const json = await f(`${server.url}/json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"q":1}',
      });
      out.push(json.status, await json.json());
      out.push([...new Uint8Array(await (await f(`${server.url}/binary`)).arrayBuffer())]);
      out.push(await (await f(`${server.url}/gzip`)).json());
      out.push(await (await f(`${server.url}/br`)).json());
      const empty = await f(`${server.url}/empty`, { method: 'DELETE' });
      out.push(empty.status, empty.body);
      const failed = await f(`${server.url}/error`);
      out.push(failed.status, failed.headers.get('retry-after'), await failed.text());
    };
    const tape = await record((f) => calls(f, seen));
    expect(seen[2]).toEqual([...BINARY]);
    expect(seen[3]).toMatchObject({ compressed: 'gzip' });
    expect(seen[4]).toMatchObject({ compressed: 'br' });
    expect(exchanges(tape)).toHaveLength(6);

    const hitsBefore = server.hits;
    const replayed: unknown[] = [];
    const replay = replayFetch({ tape });
    await calls(replay.fetch, replayed);
    expect(replayed).toEqual(seen);
    expect(server.hits).toBe(hitsBefore);
    expect(replay.report()).toMatchObject({
      recorded: 6,
      matched: 6,
      diverged: 0,
      unconsumed: [],
      fingerprintUnchanged: true,
    });
  });

  it("keeps a stream's chunk boundaries and arrival offsets, and replays them chunk by chunk", async () => {
    let live: string[] = [];
    const tape = await record(async (f) => {
      live = await readChunks(await f(`${server.url}/sse`));
    });
    expect(live).toEqual(SSE_EVENTS);
    const body = exchanges(tape)[0]?.response?.body;
    expect(body?.kind).toBe('stream');
    if (body?.kind !== 'stream') return;
    expect(body.chunks.map((c) => new TextDecoder().decode(c.bytes))).toEqual(SSE_EVENTS);
    expect(body.end).toEqual({ kind: 'complete' });
    expect(body.chunks[2]?.offsetMs).toBeGreaterThan(body.chunks[0]?.offsetMs as number);

    const replay = replayFetch({ tape });
    expect(await readChunks(await replay.fetch(`${server.url}/sse`))).toEqual(SSE_EVENTS);

    const paced = replayFetch({ tape, pace: 1 });
    const t0 = performance.now();
    expect(await readChunks(await paced.fetch(`${server.url}/sse`))).toEqual(SSE_EVENTS);
    // Paced replay waits until each chunk's recorded offset: not a timing assertion on the
    // machine's speed, but a lower bound the implementation must respect.
    expect(performance.now() - t0).toBeGreaterThanOrEqual((body.chunks[2]?.offsetMs as number) - 1);
  });

  it('replays with the server stopped: the recording needs no network', async () => {
    const own = await startTestServer();
    const tape = await record(async (f) => {
      await (await f(`${own.url}/json`, { method: 'POST', body: '{"a":1}' })).json();
      await readChunks(await f(`${own.url}/sse`));
    });
    await own.close();
    await expect(fetch(`${own.url}/json`)).rejects.toThrow(TypeError);
    const replay = replayFetch({ tape });
    expect(
      await (await replay.fetch(`${own.url}/json`, { method: 'POST', body: '{"a":1}' })).json(),
    ).toEqual({ echo: { a: 1 }, path: '/json' });
    expect(await readChunks(await replay.fetch(`${own.url}/sse`))).toEqual(SSE_EVENTS);
  });

  it('records a refused connection and replays it as the same kind of error', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}/v1/messages`;
    let live: unknown;
    const tape = await record(async (f) => {
      live = await f(url, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    });
    expect(exchanges(tape)[0]?.error).toEqual({
      name: 'TypeError',
      message: 'fetch failed',
      code: 'ECONNREFUSED',
    });
    const replayed = await replayFetch({ tape })
      .fetch(url, { method: 'POST', body: '{}' })
      .catch((e: unknown) => e);
    expect(replayed).toBeInstanceOf(TypeError);
    expect((replayed as TypeError).message).toBe((live as TypeError).message);
    expect(((replayed as TypeError).cause as { code: string }).code).toBe('ECONNREFUSED');
  });

  it('records a stream broken part-way as a prefix ending in the error, and replays the same', async () => {
    const read = async (f: typeof fetch) => {
      const got: string[] = [];
      const response = await f(`${server.url}/sse-break`);
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
          got.push(new TextDecoder().decode(chunk));
      } catch (error) {
        return { got, error: (error as Error).name };
      }
      return { got, error: null };
    };
    let live: unknown;
    const tape = await record(async (f) => {
      live = await read(f);
    });
    expect(live).toEqual({ got: SSE_EVENTS.slice(0, 2), error: 'TypeError' });
    const body = exchanges(tape)[0]?.response?.body;
    expect(body).toMatchObject({
      kind: 'stream',
      end: { kind: 'error', error: { name: 'TypeError' } },
    });
    expect(await read(replayFetch({ tape }).fetch)).toEqual(live);
  });

  it('honours a caller that stops reading, recording the partial stream as cancelled', async () => {
    const tape = await record(async (f) => {
      const response = await f(`${server.url}/sse-endless`);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();
    });
    const body = exchanges(tape)[0]?.response?.body;
    expect(body).toMatchObject({ kind: 'stream', end: { kind: 'cancelled' } });
    expect(body?.kind === 'stream' && body.chunks.length).toBe(2);

    const reader = (
      (await replayFetch({ tape }).fetch(`${server.url}/sse-endless`))
        .body as ReadableStream<Uint8Array>
    ).getReader();
    await reader.read();
    await reader.read();
    const past = await reader.read().catch((e: unknown) => e);
    expect(TransportError.isInstance(past) && past.code).toBe('TRANSPORT_PAST_RECORDING');
  });

  it('honours an abort signal mid-stream, recording it as an AbortError', async () => {
    const controller = new AbortController();
    let caught: unknown;
    const tape = await record(async (f) => {
      const response = await f(`${server.url}/sse-endless`, { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      controller.abort();
      caught = await reader.read().catch((e: unknown) => e);
    });
    expect((caught as Error).name).toBe('AbortError');
    expect(exchanges(tape)[0]?.response?.body).toMatchObject({
      kind: 'stream',
      end: { kind: 'error', error: { name: 'AbortError' } },
    });
  });

  it('records a timeout as a TimeoutError, and replays it as one', async () => {
    const url = `${server.url}/json?delay=300`;
    let live: unknown;
    const tape = await record(async (f) => {
      live = await f(url, { signal: AbortSignal.timeout(20) }).catch((e: unknown) => e);
    });
    expect((live as Error).name).toBe('TimeoutError');
    expect(exchanges(tape)[0]?.error).toMatchObject({ name: 'TimeoutError' });
    const replayed = await replayFetch({ tape })
      .fetch(url)
      .catch((e: unknown) => e);
    expect(replayed).toBeInstanceOf(DOMException);
    expect((replayed as DOMException).name).toBe('TimeoutError');
    expect((replayed as DOMException).message).toBe((live as DOMException).message);
  });

  it('matches 50 parallel requests by hash, whatever order they complete in', async () => {
    const send = (f: typeof fetch, i: number) =>
      f(`${server.url}/json?delay=${(i * 37) % 50}`, {
        method: 'POST',
        body: JSON.stringify({ i }),
      }).then((r) => r.json());
    const order: number[] = [];
    const tape = await record(async (f) => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => send(f, i).then(() => order.push(i))));
    });
    // The server finished them out of order, and the tape holds them in completion order.
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    const replay = replayFetch({ tape });
    const reversed = await Promise.all(
      Array.from({ length: 50 }, (_, k) => send(replay.fetch, 49 - k)),
    );
    expect(reversed).toEqual(
      Array.from({ length: 50 }, (_, k) => ({ echo: { i: 49 - k }, path: '/json' })),
    );
    expect(replay.report()).toMatchObject({ matched: 50, recorded: 50, unconsumed: [] });
  });

  it('serves repeated identical requests in recorded order (retries), by occurrence', async () => {
    const tape = await record(async (f) => {
      expect((await f(`${server.url}/error`)).status).toBe(503);
      expect((await f(`${server.url}/error`)).status).toBe(503);
    });
    const replay = replayFetch({ tape });
    expect((await replay.fetch(`${server.url}/error`)).status).toBe(503);
    expect((await replay.fetch(`${server.url}/error`)).status).toBe(503);
    await expect(replay.fetch(`${server.url}/error`)).rejects.toMatchObject({
      code: 'TRANSPORT_DIVERGED',
    });
  });
});

describe('divergence', () => {
  const body = (text: string) =>
    JSON.stringify({
      model: 'm',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'text', text }] },
      ],
    });

  it('names the position, the nearest recorded request and the JSON path that differs', async () => {
    const tape = await record(async (f) => {
      await f(`${server.url}/json`, { method: 'POST', body: '{"first":true}' });
      await f(`${server.url}/json`, { method: 'POST', body: body('recorded answer') });
    });
    const replay = replayFetch({ tape });
    await replay.fetch(`${server.url}/json`, { method: 'POST', body: '{"first":true}' });
    const error = await replay
      .fetch(`${server.url}/json`, { method: 'POST', body: body('changed answer') })
      .catch((e: unknown) => e);
    expect(TransportError.isInstance(error)).toBe(true);
    const divergence = error as TransportError;
    expect(divergence.code).toBe('TRANSPORT_DIVERGED');
    expect(divergence.details).toMatchObject({
      position: 1,
      nearest: { index: 1, seq: 1, consumed: false },
      differences: [
        {
          path: 'messages[1].content[0].text',
          recorded: 'recorded answer',
          live: 'changed answer',
        },
      ],
    });
    expect(divergence.message).toContain('request 1');
    expect(divergence.message).toContain(
      'messages[1].content[0].text: recorded "recorded answer", live "changed answer"',
    );
    expect(replay.report()).toMatchObject({
      matched: 1,
      diverged: 1,
      unconsumed: [{ position: 1, seq: 1, method: 'POST', url: `${server.url}/json` }],
    });
    expect(() => replay.assertConsumed()).toThrow(
      `1 recorded exchange(s) were never requested during the replay:\n  exchange 1 (tape seq 1): POST ${server.url}/json\n`,
    );
  });

  it('in positional mode, refuses requests that come in another order', async () => {
    const tape = await record(async (f) => {
      await f(`${server.url}/json`, { method: 'POST', body: '{"n":1}' });
      await f(`${server.url}/json`, { method: 'POST', body: '{"n":2}' });
    });
    const loose = replayFetch({ tape });
    await loose.fetch(`${server.url}/json`, { method: 'POST', body: '{"n":2}' });
    await loose.fetch(`${server.url}/json`, { method: 'POST', body: '{"n":1}' });
    const strict = replayFetch({ tape, match: { order: 'positional' } });
    await expect(
      strict.fetch(`${server.url}/json`, { method: 'POST', body: '{"n":2}' }),
    ).rejects.toMatchObject({
      code: 'TRANSPORT_DIVERGED',
      details: { position: 0, differences: [{ path: 'n', recorded: 1, live: 2 }] },
    });
  });

  it('ignores the query keys and body fields it is told vary between runs', async () => {
    const tape = await record(async (f) => {
      await f(`${server.url}/json?ts=1&q=a`, {
        method: 'POST',
        body: '{"id":"x1","data":[{"at":1,"v":2}]}',
      });
    });
    const replay = replayFetch({
      tape,
      match: { ignoreQuery: ['ts'], ignoreBodyFields: ['id', 'data[*].at'] },
    });
    const response = await replay.fetch(`${server.url}/json?q=a&ts=99`, {
      method: 'POST',
      body: '{"data":[{"v":2,"at":5}],"id":"y2"}',
    });
    expect(response.status).toBe(200);
  });

  it('says so when the tape reports a changed fingerprint', () => {
    const tape = Tape.create();
    tape.append({ type: 'annotation', data: 1 });
    expect(replayFetch({ tape }).report().fingerprintUnchanged).toBe(true);
    expect(
      replayFetch({ tape, expectedFingerprint: '0'.repeat(64) }).report().fingerprintUnchanged,
    ).toBe(false);
  });
});

describe('what a recording keeps, and what it hands the caller', () => {
  const recordedBody = (tape: Tape, i: number) => {
    const body = exchanges(tape)[i]?.response?.body;
    if (body?.kind !== 'bytes') throw new Error(`exchange ${i} has no whole body`);
    return new TextDecoder().decode(body.bytes);
  };

  it('keeps its own bytes: the caller changing the request or response bytes later changes no tape', async () => {
    const request = new TextEncoder().encode('{"q":1}');
    const tape = await record(async (f) => {
      const response = await f(`${server.url}/json`, { method: 'POST', body: request });
      new Uint8Array(await response.arrayBuffer()).fill(0);
      request.fill(0);
    });
    const before = { echo: { q: 1 }, path: '/json' };
    expect(JSON.parse(recordedBody(tape, 0))).toEqual(before);
    expect(new TextDecoder().decode(exchanges(tape)[0]?.request.body as Uint8Array)).toBe(
      '{"q":1}',
    );
    const again = Tape.create();
    again.append(exchanges(tape)[0] as ExchangeEvent);
    expect(tape.fingerprint).toBe(again.fingerprint);
  });

  it('copies what a redaction hook returns, since its author may still hold and change it', async () => {
    const held = new TextEncoder().encode('{"redacted":true}');
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape, redactResponseBody: () => held });
    await (await recording.fetch(`${server.url}/json`)).text();
    await recording.close();
    held.fill(0x20);
    expect(recordedBody(tape, 0)).toBe('{"redacted":true}');
  });

  it('hands the caller every live response header, set-cookie included, which the tape drops', async () => {
    let cookie: string | null = null;
    const tape = await record(async (f) => {
      const response = await f(`${server.url}/json`);
      cookie = response.headers.get('set-cookie');
      await response.json();
    });
    expect(cookie).toBe('session=abc');
    expect(exchanges(tape)[0]?.response?.headers.map(([name]) => name)).not.toContain('set-cookie');
  });
});
