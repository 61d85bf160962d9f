/**
 * Replay puts every live request through the redactor that recorded the tape before matching it:
 * a request holding a secret replays against its redacted recording, one that differs elsewhere
 * still diverges, and neither the divergence nor anything served holds the secret.
 */
import { type ExchangeEvent, Tape } from '@trace/tape';
import {
  FAKE_CREDENTIAL_FORMATS,
  type FakeCredential,
  fakeCredential,
  fakeCredentialArb,
  findLeak,
  randomChars,
  seededRandom,
} from '@trace/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './__tests__/http-server.js';
import { type RedactionOptions, recordFetch, replayFetch, TransportError } from './index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const PLACES = [
  'header',
  'credential header',
  'query',
  'json',
  'text',
  'form',
  'user info',
] as const;
type Place = (typeof PLACES)[number];
/** Header values are one line: a PEM block cannot be one. */
const ONE_LINE = FAKE_CREDENTIAL_FORMATS.filter((f) => !fakeCredential(f).text.includes('\n'));

/** A request carrying `credential` in `place`, with `n` beside it (in the same value, where it can be). */
function requestFor(place: Place, credential: FakeCredential, n: number): [string, RequestInit] {
  const url = `${server.url}/echo`;
  const carried = `see ${credential.text} ${n}`;
  const post = (type: string, body: string, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': type, ...headers },
    body,
  });
  switch (place) {
    case 'header':
      return [url, post('text/plain', 'hello', { 'x-note': carried })];
    case 'credential header':
      return [
        url,
        post('application/json', JSON.stringify({ n }), {
          authorization: `Bearer ${credential.text}`,
        }),
      ];
    case 'query':
      return [`${url}?q=${encodeURIComponent(carried)}&page=2`, { method: 'GET' }];
    case 'json':
      return [
        url,
        post('application/json', JSON.stringify({ note: carried, [credential.text]: n, n })),
      ];
    case 'text':
      return [url, post('text/plain', `line one\n${carried}\nline three`)];
    case 'form':
      return [
        url,
        post(
          'application/x-www-form-urlencoded',
          new URLSearchParams({ note: carried, n: String(n) }).toString(),
        ),
      ];
    case 'user info': {
      const host = server.url.slice('http://'.length);
      return [
        `http://app:${encodeURIComponent(credential.text)}@${host}/echo?n=${n}`,
        { method: 'GET' },
      ];
    }
  }
}

/** Sends a request; its response's text, or what it failed with. */
async function send(f: typeof fetch, [url, init]: [string, RequestInit]): Promise<string | Error> {
  try {
    return await (await f(url, init)).text();
  } catch (error) {
    return error as Error;
  }
}

/** Everything an error shows: its message and its details. */
const shown = (error: Error) =>
  `${error.message} ${JSON.stringify((error as TransportError).details ?? null)}`;

const placed = fc
  .constantFrom(...PLACES)
  .chain((place) =>
    fc.tuple(
      fc.constant(place),
      fakeCredentialArb(place === 'header' || place === 'credential header' ? ONE_LINE : undefined),
    ),
  );

describe('replay redacts live requests before matching them', () => {
  it('a request holding a secret is matched; one that differs elsewhere diverges; no error holds the secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        placed,
        fc.nat({ max: 1000 }),
        fc.option(fc.integer(), { nil: undefined }),
        async ([place, credential], n, hashSeed) => {
          // With a keyed hash, placeholders differ between secrets: matching must still hold.
          const redaction: RedactionOptions =
            hashSeed === undefined
              ? {}
              : { hashKey: randomChars(24, undefined, seededRandom(hashSeed)) };
          // Matching looks at the headers that carry the secret.
          const match = { headers: ['x-note', 'authorization'] };
          const request = requestFor(place, credential, n);

          const tape = Tape.create();
          const recording = recordFetch({ sink: tape, redaction });
          const live = await send(recording.fetch, request);
          await recording.close();
          const recorded = tape.events[0] as ExchangeEvent;
          expect(findLeak(JSON.stringify(recorded, bodiesAsText), credential)).toBeUndefined();

          // The same request, secret and all, is served its recording.
          const replay = replayFetch({ tape, redaction, match });
          const served = await send(replay.fetch, request);
          expect(replay.report()).toMatchObject({ matched: 1, diverged: 0, unconsumed: [] });
          if (place === 'user info') {
            // fetch refused the URL; the replay fails the same way, without quoting the secret.
            expect(live).toBeInstanceOf(TypeError);
            expect(served).toBeInstanceOf(TypeError);
            expect(findLeak((served as Error).message, credential)).toBeUndefined();
          } else {
            expect(typeof served).toBe('string');
            expect(findLeak(served as string, credential)).toBeUndefined();
          }

          // The same secret with something else changed diverges, and the error does not say it.
          const changed = await send(
            replayFetch({ tape, redaction, match }).fetch,
            requestFor(place, credential, n + 1),
          );
          expect(TransportError.isInstance(changed) && changed.code).toBe('TRANSPORT_DIVERGED');
          expect(findLeak(shown(changed as Error), credential)).toBeUndefined();

          // With a keyed hash, another secret of the same format is another request.
          if (redaction.hashKey !== undefined) {
            const other = fakeCredential(credential.format);
            const error = await send(
              replayFetch({ tape, redaction, match }).fetch,
              requestFor(place, other, n),
            );
            if (place === 'credential header') {
              // A credential header is dropped whatever it holds: nothing of it is compared.
              expect(typeof error).toBe('string');
            } else {
              expect(TransportError.isInstance(error) && error.code).toBe('TRANSPORT_DIVERGED');
              for (const c of [credential, other]) {
                expect(findLeak(shown(error as Error), c)).toBeUndefined();
              }
            }
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

/** JSON.stringify replacer that shows bodies and chunks as text. */
function bodiesAsText(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
}

describe('requests holding secrets, out of order and in order', () => {
  it('pairs each with its own recording, by canonical hash or by position', async () => {
    const keys = Array.from({ length: 5 }, () => fakeCredential('openai_project_key'));
    const request = (i: number): [string, RequestInit] => [
      `${server.url}/echo`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ i, note: `use ${(keys[i] as FakeCredential).text}` }),
      },
    ];
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    for (let i = 0; i < keys.length; i++) await send(recording.fetch, request(i));
    await recording.close();

    const reversed = replayFetch({ tape });
    for (let i = keys.length - 1; i >= 0; i--) {
      const served = await send(reversed.fetch, request(i));
      expect(JSON.parse(served as string)).toEqual({ i, note: 'use [REDACTED:openai_key]' });
    }
    expect(reversed.report()).toMatchObject({ matched: keys.length, diverged: 0 });

    const positional = replayFetch({ tape, match: { order: 'positional' } });
    for (let i = 0; i < keys.length; i++) await send(positional.fetch, request(i));
    expect(positional.report()).toMatchObject({ matched: keys.length, diverged: 0 });
  });
});

describe('a tape recorded before its secrets were detected', () => {
  const credential = fakeCredential('anthropic_key');
  const body = (n: number) => JSON.stringify({ note: `see ${credential.text} ${n}` });
  /** The exchange as an older transport wrote it: the body whole, the query key as `[REDACTED]`. */
  const olderTape = () => {
    const tape = Tape.create();
    tape.append({
      type: 'exchange',
      request: {
        method: 'POST',
        url: `${server.url}/echo?api_key=%5BREDACTED%5D&page=2`,
        headers: [],
        body: new TextEncoder().encode(body(1)),
      },
      response: { status: 200, statusText: 'OK', headers: [], body: null },
    });
    return tape;
  };
  const url = () =>
    `${server.url}/echo?api_key=${encodeURIComponent(credential.secrets[0] as string)}&page=2`;

  it('still serves the same request: the recorded one is compared redacted, as the live one is', async () => {
    const replay = replayFetch({ tape: olderTape() });
    const response = await replay.fetch(url(), { method: 'POST', body: body(1) });
    expect(response.status).toBe(200);
    expect(replay.report()).toMatchObject({ matched: 1, diverged: 0 });
  });

  it('still matches a body field recorded under the old placeholder', async () => {
    const tape = Tape.create();
    tape.append({
      type: 'exchange',
      request: {
        method: 'POST',
        url: `${server.url}/echo`,
        headers: [['content-type', 'application/json']],
        body: new TextEncoder().encode('{"ssn":"[REDACTED]","api_key":"[REDACTED]","q":1}'),
      },
      response: { status: 204, statusText: 'No Content', headers: [], body: null },
    });
    const replay = replayFetch({ tape, redactBodyFields: ['ssn', 'api_key'] });
    const response = await replay.fetch(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ssn: '078-05-1120', api_key: randomChars(32), q: 1 }),
    });
    expect(response.status).toBe(204);
  });

  it('does not quote what the tape holds when a request diverges from it', async () => {
    const error = await send(replayFetch({ tape: olderTape() }).fetch, [
      url(),
      { method: 'POST', body: body(2) },
    ]);
    expect(TransportError.isInstance(error) && error.code).toBe('TRANSPORT_DIVERGED');
    expect((error as TransportError).details).toMatchObject({
      differences: [
        {
          path: 'note',
          recorded: 'see [REDACTED:anthropic_key] 1',
          live: 'see [REDACTED:anthropic_key] 2',
        },
      ],
    });
    expect(findLeak(shown(error as Error), credential)).toBeUndefined();
  });
});
