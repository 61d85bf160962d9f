/**
 * The matching and playback controls users of Polly.js, VCR and nock expect: URL parts left out,
 * a normaliser over both sides, headers that change an API's meaning matched by default, and
 * repeated playback on request.
 */
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { Tape } from '@trace/tape';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './__tests__/http-server.js';
import {
  findDivergence,
  type MatchOptions,
  recordFetch,
  replayFetch,
  TransportError,
  type UrlPart,
} from './index.js';

const apiKey = ['test', 'key', Math.random().toString(36).slice(2)].join('-');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A one-exchange tape of `POST url` with `body`. */
function tapeOf(url: string, body = '{"q":1}'): Tape {
  const tape = Tape.create();
  tape.append({
    type: 'exchange',
    request: { method: 'POST', url, headers: [], body: new TextEncoder().encode(body) },
    response: { status: 200, statusText: 'OK', headers: [], body: null },
  });
  return tape;
}

/** The code of the error a replayed request fails with, or 'served'. */
async function outcome(
  tape: Tape,
  url: string,
  match: MatchOptions,
  body = '{"q":1}',
): Promise<string> {
  const replay = replayFetch({ tape, match });
  return replay.fetch(url, { method: 'POST', body }).then(
    () => 'served',
    (error: unknown) => (TransportError.isInstance(error) ? error.code : String(error)),
  );
}

describe('ignoreUrl', () => {
  it('replays a suite whose local server got another port, against real servers', async () => {
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    await recording.fetch(`${server.url}/json`, { method: 'POST', body: '{"a":1}' });
    await recording.close();
    const other = await startTestServer();
    try {
      expect(other.url).not.toBe(server.url);
      const moved = `${other.url}/json`;
      const strict = replayFetch({ tape });
      const error = await strict
        .fetch(moved, { method: 'POST', body: '{"a":1}' })
        .catch((e: unknown) => e);
      expect(findDivergence(error)?.message).toMatch(
        /url: recorded "http:\/\/127\.0\.0\.1:\d+\/json"/,
      );
      const relaxed = replayFetch({ tape, match: { ignoreUrl: ['origin'] } });
      const response = await relaxed.fetch(moved, { method: 'POST', body: '{"a":1}' });
      expect(await response.json()).toEqual({ echo: { a: 1 }, path: '/json' });
      // The replayed response carries the URL the caller asked for.
      expect(response.url).toBe(moved);
      expect(other.hits).toBe(0);
    } finally {
      await other.close();
    }
  });

  const part = fc.constantFrom<UrlPart>(
    'protocol',
    'hostname',
    'port',
    'pathname',
    'query',
    'hash',
  );
  /** `url` with `which` changed. */
  const changed = (url: URL, which: UrlPart): string => {
    const next = new URL(url);
    if (which === 'protocol') next.protocol = url.protocol === 'http:' ? 'https:' : 'http:';
    if (which === 'hostname') next.hostname = `other-${url.hostname}`;
    if (which === 'port') next.port = String(Number(url.port || 80) + 1);
    if (which === 'pathname') next.pathname = `${url.pathname}/more`;
    if (which === 'query') next.search = `${url.search}&extra=1`;
    if (which === 'hash') next.hash = 'elsewhere';
    return next.href;
  };

  it('a request that differs only in ignored parts is served; one that differs in another diverges', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        part,
        part,
        async (text, ignored, other) => {
          const url = new URL(text);
          fc.pre(url.port !== '65535');
          const tape = tapeOf(url.href);
          expect(await outcome(tape, changed(url, ignored), { ignoreUrl: [ignored] })).toBe(
            'served',
          );
          if (other !== ignored) {
            expect(await outcome(tape, changed(url, other), { ignoreUrl: [ignored] })).toBe(
              'TRANSPORT_DIVERGED',
            );
          }
          expect(await outcome(tape, changed(url, ignored), {})).toBe('TRANSPORT_DIVERGED');
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('normalize', () => {
  // A date in a system prompt changes every day; the user compares the prompt without it.
  const prompt = (day: string) => JSON.stringify({ system: `Today is ${day}. Be brief.`, q: 1 });
  const withoutDates: MatchOptions['normalize'] = (request) => {
    const body = request.body;
    if (body === null || !('json' in body)) return request;
    const json = body.json as { system: string };
    return {
      ...request,
      body: { json: { ...json, system: json.system.replace(/\d{4}-\d\d-\d\d/, 'DATE') } },
    };
  };

  it('runs over both sides before they are compared', async () => {
    const url = 'http://127.0.0.1:9/v1/messages';
    const tape = tapeOf(url, prompt('2026-11-30'));
    expect(await outcome(tape, url, {}, prompt('2026-12-01'))).toBe('TRANSPORT_DIVERGED');
    expect(await outcome(tape, url, { normalize: withoutDates }, prompt('2026-12-01'))).toBe(
      'served',
    );
    // It changes matching only: a different question still diverges.
    const other = JSON.stringify({ system: 'Today is 2026-12-01. Be brief.', q: 2 });
    expect(await outcome(tape, url, { normalize: withoutDates }, other)).toBe('TRANSPORT_DIVERGED');
  });

  it('one that throws or returns nonsense is refused with TRANSPORT_INVALID_OPTION', async () => {
    const url = 'http://127.0.0.1:9/v1/messages';
    const tape = tapeOf(url);
    const throwing = () => {
      throw new Error('boom');
    };
    // A request byte-identical to a recorded one is that request, without normalising; this one
    // is sent with other spacing, so it is compared through the normaliser.
    const spaced = '{ "q": 1 }';
    expect(await outcome(tape, url, { normalize: throwing }, spaced)).toBe(
      'TRANSPORT_INVALID_OPTION',
    );
    expect(await outcome(tape, url, { normalize: () => 42 as never }, spaced)).toBe(
      'TRANSPORT_INVALID_OPTION',
    );
  });
});

describe('headers that change what an API answers', () => {
  let llm: Awaited<ReturnType<typeof startLlmServer>>;
  let tape: Tape;
  const ask = (f: typeof fetch, headers: Record<string, string> = {}) =>
    new Anthropic({
      apiKey,
      baseURL: llm.anthropicBaseURL,
      fetch: f,
      defaultHeaders: headers,
      maxRetries: 0,
    }).messages
      .create({ model: 'claude-test', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        (m) => (m.content[0] as { text: string }).text,
        (e: unknown) => findDivergence(e) ?? e,
      );

  beforeAll(async () => {
    llm = await startLlmServer();
    tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    await ask(recording.fetch);
    await recording.close();
    await llm.close();
  });

  it('are matched by default: another anthropic-version or a beta flag diverges, naming the header', async () => {
    expect(await ask(replayFetch({ tape }).fetch)).toBe('echo: hi');
    const version = await ask(replayFetch({ tape }).fetch, { 'anthropic-version': '2099-01-01' });
    expect((version as Error).message).toMatch(
      /\n {2}header anthropic-version: recorded "\d{4}-\d\d-\d\d", live "2099-01-01"\n/,
    );
    const beta = await ask(replayFetch({ tape }).fetch, {
      'anthropic-beta': 'files-api-2025-04-14',
    });
    expect((beta as Error).message).toContain(
      'header anthropic-beta: recorded (absent), live "files-api-2025-04-14"',
    );
  });

  it('can be left out, and others added', async () => {
    const relaxed = replayFetch({ tape, match: { ignoreHeaders: ['anthropic-version'] } });
    expect(await ask(relaxed.fetch, { 'anthropic-version': '2099-01-01' })).toBe('echo: hi');
    const stricter = replayFetch({ tape, match: { headers: ['x-tenant'] } });
    const tenant = await ask(stricter.fetch, { 'x-tenant': 'acme' });
    expect((tenant as Error).message).toContain('header x-tenant: recorded (absent), live "acme"');
  });
});

describe('allowPlaybackRepeats', () => {
  it('serves the last matching recording again only when asked to, and counts it', async () => {
    const url = 'http://127.0.0.1:9/v1/messages';
    const tape = tapeOf(url);
    const strict = replayFetch({ tape });
    await strict.fetch(url, { method: 'POST', body: '{"q":1}' });
    await expect(strict.fetch(url, { method: 'POST', body: '{"q":1}' })).rejects.toMatchObject({
      code: 'TRANSPORT_DIVERGED',
    });

    const repeating = replayFetch({ tape, allowPlaybackRepeats: true });
    for (let i = 0; i < 3; i++) await repeating.fetch(url, { method: 'POST', body: '{"q":1}' });
    await expect(repeating.fetch(url, { method: 'POST', body: '{"q":2}' })).rejects.toMatchObject({
      code: 'TRANSPORT_DIVERGED',
    });
    expect(repeating.report()).toMatchObject({
      matched: 3,
      repeated: 2,
      diverged: 1,
      unconsumed: [],
    });
  });
});

describe('malformed match options', () => {
  it('are refused with TRANSPORT_INVALID_OPTION, saying what to use', () => {
    const tape = Tape.create();
    for (const match of [
      { ignoreUrl: ['host'] },
      { ignoreUrl: 'origin' },
      { headers: 'anthropic-version' },
      { normalize: 'lowercase' },
      { order: 'random' },
    ]) {
      const error = (() => {
        try {
          replayFetch({ tape, match: match as never });
        } catch (e) {
          return e;
        }
      })();
      expect(TransportError.isInstance(error) && error.code, JSON.stringify(match)).toBe(
        'TRANSPORT_INVALID_OPTION',
      );
    }
  });
});
