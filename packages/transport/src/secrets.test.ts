import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import { openMemoryStore, Tape } from '@trace/tape';
import {
  FAKE_CREDENTIAL_FORMATS,
  fakeCredential,
  fakeCredentialArb,
  findLeak,
  randomChars,
  seededRandom,
} from '@trace/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './__tests__/http-server.js';
import { openTransport, recordFetch, replayFetch, TransportError } from './index.js';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'trace-transport-secrets-'));
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// Secrets are built at run time (@trace/test-utils): credentials of every format that fits in a
// header (a PEM block does not), and random tokens of no known format, which only a credential
// header, parameter or key name gives away.
const oneLine = FAKE_CREDENTIAL_FORMATS.filter((f) => !fakeCredential(f).text.includes('\n'));
const token = fc
  .tuple(fc.integer({ min: 24, max: 40 }), fc.integer())
  .map(([length, seed]) => randomChars(length, undefined, seededRandom(seed)));
/** A secret as written (`text`) and the parts of it that must not reach the file. */
const secret = fc.oneof(
  fakeCredentialArb(oneLine).map((c) => ({ text: c.text, parts: [c.text, ...c.secrets] })),
  token.map((t) => ({ text: t, parts: [t] })),
);

describe('credentials never reach the tape file', () => {
  it('not from headers, query strings or redacted body fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        secret,
        secret,
        secret,
        secret,
        secret,
        secret,
        async (auth, apiKey, cookie, query, field, nested) => {
          const path = join(dir, `t-${Math.random().toString(36).slice(2)}.tape.db`);
          const store = openSqliteStore(path);
          const recorder = store.record();
          const recording = recordFetch({ sink: recorder, redactBodyFields: ['api_key', 'token'] });
          const url = `${server.url}/json?api_key=${encodeURIComponent(query.text)}&model=m`;
          const response = await recording.fetch(url, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${auth.text}`,
              'x-api-key': apiKey.text,
              cookie: `session=${cookie.text}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              api_key: field.text,
              auth: { token: nested.text },
              prompt: 'hello',
            }),
          });
          await response.text();
          await recording.close();
          recorder.finish();
          store.close();

          const files = readdirSync(dir).filter((f) =>
            f.startsWith(path.split('/').pop() as string),
          );
          expect(files).toEqual([path.split('/').pop()]);
          const bytes = readFileSync(path);
          const secrets = { auth, apiKey, cookie, query, field, nested };
          for (const [where, { parts }] of Object.entries(secrets)) {
            for (const written of new Set(parts.flatMap((p) => [p, encodeURIComponent(p)]))) {
              expect(
                bytes.includes(Buffer.from(written, 'utf8')),
                `the ${where} secret was found in the tape file`,
              ).toBe(false);
            }
          }
          // What is not secret is still there.
          expect(bytes.includes(Buffer.from('"prompt":"hello"'))).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('redacts a dotted field path only at its anchor, and a bare name at any depth', async () => {
    const tape = (await import('@trace/tape')).Tape.create();
    const recording = recordFetch({
      sink: tape,
      redactBodyFields: ['auth.token', 'password', 'patient.ssn', 'dob'],
    });
    const body = JSON.stringify({
      auth: { token: 't1' },
      other: { auth: { token: 't2' } },
      list: [{ password: 'p1' }],
      patient: { ssn: 's1' },
      family: { patient: { ssn: 's2' } },
      visits: [{ dob: 'd1' }],
    });
    await (await recording.fetch(`${server.url}/json`, { method: 'POST', body })).text();
    await recording.close();
    const event = tape.events[0];
    if (event?.type !== 'exchange') throw new Error('expected an exchange');
    expect(JSON.parse(new TextDecoder().decode(event.request.body as Uint8Array))).toEqual({
      // `auth` and `password` name credentials: their values go whole, wherever they are.
      auth: '[REDACTED:authorization]',
      other: { auth: '[REDACTED:authorization]' },
      list: [{ password: '[REDACTED:password]' }],
      // Ordinary names: a dotted path only at its anchor, a bare name at any depth.
      patient: { ssn: '[REDACTED:path]' },
      family: { patient: { ssn: 's2' } },
      visits: [{ dob: '[REDACTED:path]' }],
    });
  });

  it("drops the set-cookie of a response, and the SDKs' volatile headers unless asked to keep them", async () => {
    const path = join(dir, 'volatile.tape.db');
    const store = openSqliteStore(path);
    const recorder = store.record({ id: 'v' });
    const recording = recordFetch({ sink: recorder });
    await (
      await recording.fetch(`${server.url}/json`, {
        headers: {
          'x-stainless-os': 'Linux',
          'user-agent': 'Anthropic/JS',
          'idempotency-key': 'k1',
          'anthropic-version': '2023-06-01',
        },
      })
    ).text();
    await recording.close();
    recorder.finish();
    const event = store.load('v').events[0];
    store.close();
    if (event?.type !== 'exchange') throw new Error('expected an exchange');
    expect(event.request.headers).toEqual([['anthropic-version', '2023-06-01']]);
    expect(event.response?.headers.map(([name]) => name)).not.toContain('set-cookie');
  });
});

/** The one exchange `run` records into a fresh in-memory tape, with these options. */
async function recordOne(
  options: Omit<Parameters<typeof recordFetch>[0], 'sink'>,
  run: (f: typeof fetch) => Promise<unknown>,
) {
  const tape = Tape.create();
  const recording = recordFetch({ ...options, sink: tape });
  await run(recording.fetch);
  await recording.close();
  const event = tape.events[0];
  if (event?.type !== 'exchange') throw new Error('expected an exchange');
  return { tape, event };
}

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes ?? new Uint8Array());

describe('redaction options', () => {
  it('keeps the volatile headers when asked to, and still drops credentials', async () => {
    const { event } = await recordOne({ keepVolatileHeaders: true }, (f) =>
      f(`${server.url}/echo`, {
        method: 'POST',
        headers: { 'user-agent': 'Anthropic/JS', 'x-stainless-os': 'Linux', 'x-api-key': 'k' },
        body: 'hi',
      }),
    );
    expect(event.request.headers.map(([name]) => name)).toEqual([
      'content-type',
      'user-agent',
      'x-stainless-os',
    ]);
  });

  it("reaches the engine's own options: PII, more key names, keyed hashes", async () => {
    const key = fakeCredential('anthropic_key');
    const { event } = await recordOne(
      {
        redaction: { pii: true, keys: ['tenant_secret_id'], hashKey: randomChars(24) },
      },
      (f) =>
        f(`${server.url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-tenant-secret-id': 't-42' },
          body: JSON.stringify({ to: 'ada@example.com', tenant_secret_id: 't-42', key: key.text }),
        }),
    );
    expect(event.request.headers).toEqual([['content-type', 'application/json']]);
    const body = JSON.parse(text(event.request.body));
    expect(body.to).toMatch(/^\[REDACTED:email#[0-9a-f]{16}\]$/);
    expect(body.tenant_secret_id).toMatch(/^\[REDACTED:[a-z_]+#[0-9a-f]{16}\]$/);
    expect(body.key).toMatch(/^\[REDACTED:anthropic_key#[0-9a-f]{16}\]$/);
    // The server echoed it all back: the response is redacted the same way.
    const response = event.response?.body;
    expect(response?.kind === 'bytes' && JSON.parse(text(response.bytes))).toEqual(body);
  });

  it('runs the hooks after the engine, with the URL as recorded', async () => {
    const key = fakeCredential('github_token');
    const seen: string[] = [];
    const { event } = await recordOne(
      {
        redactRequestBody: (body, request) => {
          seen.push(request.url, text(body));
          return new TextEncoder().encode(text(body).toUpperCase());
        },
        redactResponseBody: (body) => new TextEncoder().encode(`[${text(body).length}]`),
      },
      (f) => f(`${server.url}/echo?token=${key.text}`, { method: 'POST', body: `x ${key.text}` }),
    );
    expect(seen).toEqual([
      `${server.url}/echo?token=[REDACTED:token]`,
      'x [REDACTED:github_token]',
    ]);
    expect(text(event.request.body)).toBe('X [REDACTED:GITHUB_TOKEN]');
    const response = event.response?.body;
    // The response hook, too, sees what the engine left of the echoed body.
    expect(response?.kind === 'bytes' && text(response.bytes)).toBe(
      `[${'x [REDACTED:github_token]'.length}]`,
    );
  });

  it('records a failure without the secret its message holds', async () => {
    const key = fakeCredential('openai_project_key');
    const failing = async () => {
      throw new TypeError(`upstream refused the key ${key.text}`);
    };
    const { tape, event } = await recordOne({ fetch: failing }, (f) =>
      f(`${server.url}/json`).catch((e: unknown) => e),
    );
    expect(event.error).toEqual({
      name: 'TypeError',
      message: 'upstream refused the key [REDACTED:openai_key]',
    });
    const replayed = await replayFetch({ tape })
      .fetch(`${server.url}/json`)
      .catch((e: unknown) => e);
    expect((replayed as TypeError).message).toBe('upstream refused the key [REDACTED:openai_key]');
  });

  it('refuses malformed redaction options with TRANSPORT_INVALID_OPTION, quoting no secret', async () => {
    const hashKey = fakeCredential('stripe_secret_key').text.slice(0, 12);
    const bad = [
      { redaction: { hashKey } },
      { redaction: { hashkey: 'x'.repeat(20) } as never },
      { redaction: 'pii' as never },
      { dropHeaders: [42 as never] },
      { redactBodyFields: [''] },
      { redactBodyFields: 'api_key' as never },
    ];
    for (const options of bad) {
      for (const open of [
        () => recordFetch({ ...options, sink: Tape.create() }),
        () => replayFetch({ ...options, tape: Tape.create() }),
        () => openTransport({ ...options, store: openMemoryStore(), id: 'x', env: {} }),
      ]) {
        const error = await (async () => open())().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(TransportError.isInstance(error) && error.code, JSON.stringify(options)).toBe(
          'TRANSPORT_INVALID_OPTION',
        );
        expect((error as Error).message).not.toContain(hashKey);
      }
    }
  });
});

describe('errors hold no secret', () => {
  /** Everything an error carries, as a CI log would show it. */
  const shown = (error: unknown) =>
    `${(error as Error).message}\n${JSON.stringify((error as TransportError).details)}\n${(error as Error).stack}`;

  it('a divergence, an unused exchange and a byte difference name the URL and body as recorded', async () => {
    const key = fakeCredential('google_api_key');
    const bearer = fakeCredential('bearer_token');
    const url = `${server.url}/echo?key=${encodeURIComponent(key.text)}`;
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const send = (f: typeof fetch, note: string) =>
      f(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: `note ${note}; ${bearer.text}`,
      });
    await send(recording.fetch, 'a');
    await send(recording.fetch, 'b');
    await recording.close();
    expect(
      JSON.stringify(tape.events, (_k, v) => (v instanceof Uint8Array ? [...v] : v)),
    ).not.toContain(key.text);

    const replay = replayFetch({ tape });
    await send(replay.fetch, 'a');
    const diverged = await send(replay.fetch, 'c').catch((e: unknown) => e);
    expect(TransportError.isInstance(diverged) && diverged.code).toBe('TRANSPORT_DIVERGED');
    // The byte difference is shown in context, in recorded form.
    expect((diverged as Error).message).toMatch(/body byte \d+: recorded \(\d+ bytes\) "note b; /);
    const unused = (() => {
      try {
        replay.assertConsumed();
      } catch (error) {
        return error;
      }
    })();
    expect(TransportError.isInstance(unused) && unused.code).toBe('TRANSPORT_UNCONSUMED');
    expect((unused as Error).message).toContain('exchange 1 (tape seq 1): POST');
    for (const error of [diverged, unused]) {
      for (const credential of [key, bearer]) {
        expect(findLeak(shown(error), credential)).toBeUndefined();
      }
    }
  });
});
