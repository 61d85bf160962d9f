import { Tape } from '@trace/tape';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordFetch, replayFetch } from './index.js';

const url = 'http://127.0.0.1:9/v1/messages';
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function tapeWith(bodies: readonly unknown[]): Tape {
  const tape = Tape.create();
  for (const [i, body] of bodies.entries()) {
    tape.append({
      type: 'exchange',
      request: { method: 'POST', url, headers: [], body: encode(body) },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [],
        body: { kind: 'bytes', bytes: encode({ reply: i }) },
      },
    });
  }
  return tape;
}

/** The same object with its keys in reverse order, at every depth. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversedKeys(v)]),
    );
  }
  return value;
}

const body = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), {
  minKeys: 1,
  maxKeys: 6,
});

describe('matching', () => {
  it('serves a request whether it is byte-identical to the recorded one or differs only in key order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(body, {
          minLength: 1,
          maxLength: 5,
          selector: (b) => JSON.stringify(reversedKeys(b)),
        }),
        async (bodies) => {
          const tape = tapeWith(bodies);
          for (const shape of [(b: unknown) => b, reversedKeys]) {
            const replay = replayFetch({ tape });
            // Served in reverse order, so occurrence counting, not position, does the matching.
            for (let i = bodies.length - 1; i >= 0; i--) {
              const response = await replay.fetch(url, {
                method: 'POST',
                body: JSON.stringify(shape(bodies[i])),
              });
              expect(await response.json()).toEqual({ reply: i });
            }
            expect(replay.report()).toMatchObject({ matched: bodies.length, diverged: 0 });
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('reads a __proto__ key, integer-like keys and lone surrogates as data, in any key order', async () => {
    const recorded = '{"__proto__":{"b":1,"a":2},"10":"x","9":"y","s":"\\ud800"}';
    const tape = Tape.create();
    tape.append({
      type: 'exchange',
      request: { method: 'POST', url, headers: [], body: new TextEncoder().encode(recorded) },
      response: { status: 200, statusText: 'OK', headers: [], body: null },
    });
    const reordered = '{"s":"\\ud800","9":"y","__proto__":{"a":2,"b":1},"10":"x"}';
    const served = await replayFetch({ tape }).fetch(url, { method: 'POST', body: reordered });
    expect(served.status).toBe(200);
    for (const changed of [
      '{"__proto__":{"b":1,"a":3},"10":"x","9":"y","s":"\\ud800"}',
      '{"__proto__":{"b":1,"a":2},"10":"x","9":"y","s":"\\ud801"}',
    ]) {
      await expect(
        replayFetch({ tape }).fetch(url, { method: 'POST', body: changed }),
      ).rejects.toMatchObject({ code: 'TRANSPORT_DIVERGED' });
    }
  });

  it('matches URLs by their query parameters in any order, and an empty query as none', async () => {
    const tape = Tape.create();
    for (const recordedUrl of [`${url}?b=2&a=1`, `${url}?`]) {
      tape.append({
        type: 'exchange',
        request: { method: 'GET', url: recordedUrl, headers: [], body: null },
        response: { status: 200, statusText: recordedUrl, headers: [], body: null },
      });
    }
    const replay = replayFetch({ tape });
    expect((await replay.fetch(url)).statusText).toBe(`${url}?`);
    expect((await replay.fetch(`${url}?a=1&b=2`)).statusText).toBe(`${url}?b=2&a=1`);
  });

  it('matches on the headers it is told to, by name in any case or by pattern, and on no others', async () => {
    const tape = Tape.create();
    tape.append({
      type: 'exchange',
      request: {
        method: 'GET',
        url,
        headers: [
          ['anthropic-version', '2023-06-01'],
          ['x-tenant-id', 't1'],
          ['x-other', 'a'],
        ],
        body: null,
      },
      response: { status: 200, statusText: 'OK', headers: [], body: null },
    });
    const match = { headers: ['Anthropic-Version', /^x-tenant-/] };
    const send = (headers: Record<string, string>) =>
      replayFetch({ tape, match }).fetch(url, { headers });
    const same = { 'anthropic-version': '2023-06-01', 'X-Tenant-Id': 't1' };
    expect((await send({ ...same, 'x-other': 'b' })).status).toBe(200);
    for (const changed of [
      { ...same, 'anthropic-version': '2024-01-01' },
      { ...same, 'X-Tenant-Id': 't2' },
    ]) {
      await expect(send(changed)).rejects.toMatchObject({ code: 'TRANSPORT_DIVERGED' });
    }
  });

  it('drops the headers it is told to, by name in any case or by pattern, as well as credentials', async () => {
    const tape = Tape.create();
    const recording = recordFetch({
      sink: tape,
      dropHeaders: ['X-Trace-Id', /^x-debug-/],
      fetch: async () => new Response(null, { status: 204 }),
    });
    await recording.fetch(url, {
      headers: { 'x-trace-id': '1', 'X-Debug-Level': '2', 'x-kept': '3', 'X-Api-Key': 'k' },
    });
    await recording.close();
    const event = tape.events[0];
    if (event?.type !== 'exchange') throw new Error('expected an exchange');
    expect(event.request.headers).toEqual([['x-kept', '3']]);
  });

  it('pairs the same request by issue order, even when a live one is byte-identical to a later recording', async () => {
    // Two recordings of one request, its keys in two orders: the same request, answered twice.
    const tape = Tape.create();
    for (const [i, body] of ['{"a":1,"b":2}', '{"b":2,"a":1}'].entries()) {
      tape.append({
        type: 'exchange',
        request: { method: 'POST', url, headers: [], body: new TextEncoder().encode(body) },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [],
          body: { kind: 'bytes', bytes: encode({ reply: i }) },
        },
      });
    }
    const replay = replayFetch({ tape });
    const send = async (body: string) => (await replay.fetch(url, { method: 'POST', body })).json();
    // The first request gets the first answer, though its bytes are those of the second recording.
    expect(await send('{"b":2,"a":1}')).toEqual({ reply: 0 });
    expect(await send('{"a":1,"b":2}')).toEqual({ reply: 1 });
    await expect(send('{"a":1,"b":2}')).rejects.toMatchObject({ code: 'TRANSPORT_DIVERGED' });
    expect(replay.report()).toMatchObject({ matched: 2, diverged: 1, unconsumed: [] });
  });

  it('refuses a request whose body differs in a value, by either path', async () => {
    const tape = tapeWith([{ a: 1, b: [1, 2] }]);
    for (const sent of ['{"a":1,"b":[1,3]}', '{"b":[1,3],"a":1}']) {
      await expect(
        replayFetch({ tape }).fetch(url, { method: 'POST', body: sent }),
      ).rejects.toMatchObject({
        code: 'TRANSPORT_DIVERGED',
        details: { differences: [{ path: 'b[1]', recorded: 2, live: 3 }] },
      });
    }
  });
});
