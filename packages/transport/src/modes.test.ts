import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteTapeStore } from '@trace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAsyncStore } from './__tests__/async-store.js';
import { startTestServer, type TestServer } from './__tests__/http-server.js';
import { openTransport, TransportError, withFetch } from './index.js';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'trace-transport-modes-'));
let n = 0;
const newStore = (): SqliteTapeStore => openSqliteStore(join(dir, `s${++n}.tape.db`));
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (f: typeof fetch, q: number) =>
  (await f(`${server.url}/json`, { method: 'POST', body: JSON.stringify({ q }) })).json();

describe('openTransport', () => {
  it('auto records when the tape is missing, then replays it without the network', async () => {
    const store = newStore();
    const first = await openTransport({ store, id: 'run', env: {} });
    expect(first.mode).toBe('record');
    first.recorder?.append({ type: 'draw', kind: 'clock.wall', value: 1 });
    expect(await call(first.fetch, 1)).toEqual({ echo: { q: 1 }, path: '/json' });
    await first.close();
    expect(store.list()).toMatchObject([
      { id: 'run', complete: true, counts: { draw: 1, exchange: 1 } },
    ]);

    const hits = server.hits;
    const second = await openTransport({ store, id: 'run', env: {} });
    expect(second.mode).toBe('replay');
    expect(await call(second.fetch, 1)).toEqual({ echo: { q: 1 }, path: '/json' });
    expect(second.report()).toMatchObject({ recorded: 1, matched: 1, fingerprintUnchanged: true });
    await second.close();
    expect(server.hits).toBe(hits);
    store.close();
  });

  it('TRACE_MODE overrides the mode in code: replay in CI fails on a miss and on a missing tape', async () => {
    const store = newStore();
    const recording = await openTransport({ store, id: 'run', mode: 'record', env: {} });
    await call(recording.fetch, 1);
    await recording.close();

    const ci = await openTransport({
      store,
      id: 'run',
      mode: 'record',
      env: { TRACE_MODE: 'replay' },
    });
    expect(ci.mode).toBe('replay');
    await expect(call(ci.fetch, 2)).rejects.toMatchObject({ code: 'TRANSPORT_DIVERGED' });
    await expect(ci.close()).rejects.toMatchObject({ code: 'TRANSPORT_UNCONSUMED' });

    await expect(
      openTransport({ store, id: 'absent', env: { TRACE_MODE: 'replay' } }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_NO_TAPE' });
    const bad = await openTransport({ store, id: 'run', env: { TRACE_MODE: 'replay-ish' } }).catch(
      (error: unknown) => error,
    );
    expect(TransportError.isInstance(bad) && bad.code).toBe('TRANSPORT_INVALID_OPTION');
    expect((bad as Error).message).toContain('record, replay, auto, new-episodes, passthrough');
    store.close();
  });

  it('new-episodes replays what matches and records what is new, saving both as a new tape', async () => {
    const store = newStore();
    const recording = await openTransport({ store, id: 'v1', mode: 'record', env: {} });
    await call(recording.fetch, 1);
    await recording.close();

    const hits = server.hits;
    const episodes = await openTransport({
      store,
      id: 'v1',
      mode: 'new-episodes',
      recordAs: 'v2',
      env: {},
    });
    expect(await call(episodes.fetch, 1)).toEqual({ echo: { q: 1 }, path: '/json' });
    expect(server.hits).toBe(hits);
    expect(await call(episodes.fetch, 2)).toEqual({ echo: { q: 2 }, path: '/json' });
    expect(server.hits).toBe(hits + 1);
    await episodes.close();

    const replay = await openTransport({ store, id: 'v2', mode: 'replay', env: {} });
    await call(replay.fetch, 2);
    await call(replay.fetch, 1);
    await replay.close();
    expect(store.list().map((t) => [t.id, t.counts.exchange])).toEqual([
      ['v1', 1],
      ['v2', 2],
    ]);
    // The old exchange keeps its place; the new one is numbered after every old one.
    const v2 = await store.load('v2');
    expect(v2.events.map((e) => e.type === 'exchange' && e.issueIndex)).toEqual([0, 2]);
    store.close();
  });

  it('passthrough goes to the network and records nothing', async () => {
    const store = newStore();
    const transport = await openTransport({ store, id: 'p', mode: 'passthrough', env: {} });
    const hits = server.hits;
    await call(transport.fetch, 3);
    expect(server.hits).toBe(hits + 1);
    await transport.close();
    expect(store.list()).toEqual([]);
    store.close();
  });
});

describe('withFetch', () => {
  it("records through the global fetch inside the scope, the transport's own forwarding reaching the network", async () => {
    const store = newStore();
    const recording = await openTransport({ store, id: 'scoped-record', mode: 'record', env: {} });
    const hits = server.hits;
    const reply = await withFetch(recording.fetch, () => call(globalThis.fetch, 11));
    await recording.close();
    expect(reply).toEqual({ echo: { q: 11 }, path: '/json' });
    expect(server.hits).toBe(hits + 1);
    expect(store.list()).toMatchObject([{ id: 'scoped-record', counts: { exchange: 1 } }]);
    store.close();
  });

  it('serves globalThis.fetch from a transport inside the scope only, across awaits, restored after a throw', async () => {
    const store = newStore();
    const recording = await openTransport({ store, id: 'g', mode: 'record', env: {} });
    await call(recording.fetch, 7);
    await recording.close();
    const replay = await openTransport({ store, id: 'g', mode: 'replay', env: {} });

    const real = globalThis.fetch;
    const hits = server.hits;
    const inside = withFetch(replay.fetch, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return call(globalThis.fetch, 7);
    });
    // Concurrently, outside the scope, the real network is used.
    const outside = call(globalThis.fetch, 8);
    expect(await inside).toEqual({ echo: { q: 7 }, path: '/json' });
    expect(await outside).toEqual({ echo: { q: 8 }, path: '/json' });
    expect(server.hits).toBe(hits + 1);

    await expect(
      withFetch(replay.fetch, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(globalThis.fetch).toBe(real); // put back exactly once no scope is open
    expect(await call(globalThis.fetch, 9)).toEqual({ echo: { q: 9 }, path: '/json' });
    expect(server.hits).toBe(hits + 2);
    expect(withFetch(replay.fetch, () => globalThis.fetch !== real)).toBe(true);
    expect(globalThis.fetch).toBe(real);
    store.close();
  });
});

describe('over any TapeStore', () => {
  it('records into and replays from a store whose every method is asynchronous', async () => {
    const store = openAsyncStore();
    const first = await openTransport({ store, id: 'run', env: {} });
    expect(first.mode).toBe('record');
    expect(await call(first.fetch, 1)).toEqual({ echo: { q: 1 }, path: '/json' });
    await first.recorder?.append({ type: 'annotation', data: 'after' });
    await first.close();
    expect(await store.list()).toMatchObject([
      { id: 'run', complete: true, counts: { exchange: 1, annotation: 1 } },
    ]);

    const hits = server.hits;
    const second = await openTransport({ store, id: 'run', env: {} });
    expect(second.mode).toBe('replay');
    expect(await call(second.fetch, 1)).toEqual({ echo: { q: 1 }, path: '/json' });
    expect(second.report()).toMatchObject({ matched: 1, fingerprintUnchanged: true });
    await second.close();
    expect(server.hits).toBe(hits);
    await expect(
      openTransport({ store, id: 'absent', mode: 'replay', env: {} }),
    ).rejects.toMatchObject({ code: 'TRANSPORT_NO_TAPE', details: { location: 'memory:async' } });
    await store.close();
  });

  it('keeps appends in the order exchanges end, however long each takes to store', async () => {
    // Exchange i ends at about 40i ms; storing it takes longer the earlier it ended, so appends
    // made all at once would reach the store in reverse order.
    const store = openAsyncStore((event) =>
      event.type === 'exchange'
        ? 250 - 50 * (JSON.parse(text(event.request.body)) as { q: number }).q
        : 1,
    );
    const transport = await openTransport({ store, id: 'ordered', mode: 'record', env: {} });
    const send = (q: number) =>
      transport
        .fetch(`${server.url}/json?delay=${q * 40}`, {
          method: 'POST',
          body: JSON.stringify({ q }),
        })
        .then((r) => r.json());
    await Promise.all([0, 1, 2, 3, 4].map(send));
    await transport.close();
    const tape = await store.load('ordered');
    expect(
      tape.events.map((e) => e.type === 'exchange' && JSON.parse(text(e.request.body)).q),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(tape.complete).toBe(true);
  });

  it('fails the call when a synchronous store cannot append, and says so again at close', async () => {
    const store = newStore();
    const transport = await openTransport({ store, id: 'cut', mode: 'record', env: {} });
    await call(transport.fetch, 1);
    store.delete('cut');
    const failed = await call(transport.fetch, 2).catch((error: unknown) => error);
    expect(failed).toMatchObject({
      code: 'TRANSPORT_RECORD_FAILED',
      cause: { code: 'TAPE_ID_NOT_FOUND' },
    });
    await expect(transport.close()).rejects.toMatchObject({ code: 'TRANSPORT_RECORD_FAILED' });
    store.close();
  });

  it('reports at close an append an asynchronous store failed after the call returned', async () => {
    const store = openAsyncStore();
    const transport = await openTransport({ store, id: 'cut', mode: 'record', env: {} });
    await call(transport.fetch, 1);
    store.inner.delete('cut');
    // The caller has its response: the append fails later, where no caller waits for it.
    expect(await call(transport.fetch, 2)).toEqual({ echo: { q: 2 }, path: '/json' });
    const error = await transport.close().catch((caught: unknown) => caught);
    expect(TransportError.isInstance(error) && error.code).toBe('TRANSPORT_RECORD_FAILED');
    expect((error as TransportError).cause).toMatchObject({ code: 'TAPE_ID_NOT_FOUND' });
    expect((error as Error).message).toContain(`${server.url}/json`);
  });
});

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());
