import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './__tests__/http-server.js';
import { recordFetch } from './index.js';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'trace-transport-secrets-'));
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// Secrets are built at run time from random characters, in the shapes real credentials have.
const token = fc.stringMatching(/^[A-Za-z0-9]{24,40}$/);
const secret = fc.oneof(
  token.map((t) => `sk-ant-${'api03'}-${t}`),
  token.map((t) => `sk-${'proj'}-${t}`),
  token.map((t) => `ghp_${t}`),
  token,
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
          const response = await recording.fetch(`${server.url}/json?api_key=${query}&model=m`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${auth}`,
              'x-api-key': apiKey,
              cookie: `session=${cookie}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ api_key: field, auth: { token: nested }, prompt: 'hello' }),
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
          for (const [where, value] of Object.entries(secrets)) {
            expect(
              bytes.includes(Buffer.from(value, 'utf8')),
              `the ${where} secret was found in the tape file`,
            ).toBe(false);
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
    const recording = recordFetch({ sink: tape, redactBodyFields: ['auth.token', 'password'] });
    const body = JSON.stringify({
      auth: { token: 't1' },
      other: { auth: { token: 't2' } },
      list: [{ password: 'p1' }],
    });
    await (await recording.fetch(`${server.url}/json`, { method: 'POST', body })).text();
    await recording.close();
    const event = tape.events[0];
    if (event?.type !== 'exchange') throw new Error('expected an exchange');
    expect(JSON.parse(new TextDecoder().decode(event.request.body as Uint8Array))).toEqual({
      auth: { token: '[REDACTED]' },
      other: { auth: { token: 't2' } },
      list: [{ password: '[REDACTED]' }],
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
