/**
 * The redaction property for tapes (issue #11): fake credentials of every format the redaction
 * engine knows, put into every place a request or a response can carry them, recorded through a
 * real HTTP server on 127.0.0.1 with the platform's fetch into a real SQLite store, appear nowhere
 * in the store's file or its write-ahead log — read while the store is still open, when the log
 * holds what was committed, and again after it closed — nor in an export of the tape.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportActionTraces, toOtlp, tracesFromTape } from '@trace/export';
import { CREDENTIAL_HEADERS } from '@trace/redact';
import type { ExchangeEvent } from '@trace/spec';
import { openSqliteStore } from '@trace/store-sqlite';
import {
  FAKE_CREDENTIAL_FORMATS,
  type FakeCredential,
  fakeCredentialArb,
  fakeCredentials,
  randomChars,
  seededRandom,
} from '@trace/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedServer, startScriptedServer } from './__tests__/scripted-server.js';
import { openTransport } from './index.js';

let server: ScriptedServer;
const dir = mkdtempSync(join(tmpdir(), 'trace-transport-redaction-'));
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The forms a secret can take in a file: as it is, percent-encoded, form-encoded. */
function writtenForms(part: string): string[] {
  return [
    ...new Set([
      part,
      encodeURIComponent(part),
      new URLSearchParams({ x: part }).toString().slice(2),
    ]),
  ];
}

/**
 * Every credential (its text, or a random part of it) and every opaque token found in
 * `haystack`, in any written form.
 */
function leaks(
  haystack: Buffer | string,
  credentials: readonly FakeCredential[],
  opaque: readonly string[],
): string[] {
  const found: string[] = [];
  const parts = [
    ...credentials.flatMap((c) => [c.text, ...c.secrets].map((part) => [c.format, part])),
    ...opaque.map((token) => ['opaque', token]),
  ];
  for (const [name, part] of parts as [string, string][]) {
    for (const form of writtenForms(part)) {
      if (haystack.includes(form)) found.push(`${name}: ${form}`);
    }
  }
  return found;
}

/** A credential inside ordinary words, as it would sit in a prompt, a log line or a header. */
const note = (credential: FakeCredential) => `note ${credential.text} end`;

/** Anthropic's server-sent events for a message whose text arrives in these deltas. */
function sseEvents(deltas: readonly string[]): string {
  const event = (type: string, data: unknown) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...(data as object) })}\n\n`;
  return [
    event('message_start', {
      message: {
        id: 'msg_2',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [],
        usage: { input_tokens: 3, output_tokens: 0 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...deltas.map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }),
    event('message_stop', {}),
  ].join('');
}

/**
 * Cut points for `text`: one strictly inside each credential's first random part (at `inside[i]`
 * of its length), so every secret straddles two chunks, and more anywhere.
 */
function cutsFor(
  text: string,
  credentials: readonly FakeCredential[],
  inside: readonly number[],
  extra: readonly number[],
): number[] {
  const cuts = new Set<number>();
  credentials.forEach((credential, i) => {
    const part = credential.secrets[0] as string;
    const at = text.indexOf(part);
    if (at < 0) throw new Error(`the stream does not hold ${credential.format} as written`);
    cuts.add(at + 1 + Math.floor((inside[i] ?? 0) * (part.length - 1)));
  });
  for (const n of extra) cuts.add(n % text.length);
  return [...cuts].filter((c) => c > 0 && c < text.length).sort((a, b) => a - b);
}

const piecesOf = (text: string, cuts: readonly number[]): string[] =>
  [0, ...cuts].map((start, i) => text.slice(start, cuts[i] ?? text.length));

const FORMAT_COUNT = FAKE_CREDENTIAL_FORMATS.length;

describe('no secret reaches a tape file, its WAL, or an export', () => {
  it('every credential format, in every place a request or response carries one', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: FORMAT_COUNT,
          maxLength: FORMAT_COUNT,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.tuple(fakeCredentialArb(), fakeCredentialArb()),
        async (seed, inside, extra, [userinfo, token]) => {
          const random = seededRandom(seed);
          const credentials = fakeCredentials(random);
          // Header values are one line: a multi-line credential (a PEM block) goes everywhere else.
          const oneLine = credentials.filter((c) => !c.text.includes('\n'));
          // Credential headers carry tokens no detector recognises: only dropping them keeps
          // them off the tape (a cloud session token is random text).
          const opaque = CREDENTIAL_HEADERS.map(() => randomChars(40, undefined, random));
          // What is not secret must still be there: a marker beside the secrets of each place.
          const tag = `keep${++run}x${(seed >>> 0).toString(36)}`;
          const path = join(dir, `${tag}.tape.db`);
          const store = openSqliteStore(path);
          const transport = await openTransport({ store, id: 'run', mode: 'record', env: {} });
          const f = transport.fetch;
          const base = `${server.url}/v1/messages`;

          // 1. Request headers (every credential header, and ordinary ones holding secrets), a
          //    query string, a JSON body with secrets in keys and values; a whole JSON response
          //    with secrets in its headers and body.
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            'x-script': `${tag}-json`,
            'x-marker': `${tag}-header`,
          };
          CREDENTIAL_HEADERS.forEach((name, i) => {
            headers[name] = opaque[i] as string;
          });
          oneLine.forEach((c, i) => {
            headers[`x-note-${i}`] = note(c);
          });
          const query = [
            ...credentials.map((c, i) => `q${i}=${encodeURIComponent(note(c))}`),
            ...['api_key', 'key', 'token', 'access_token', 'sig', 'X-Amz-Security-Token'].map(
              (name, i) =>
                `${name}=${encodeURIComponent((credentials[i] as FakeCredential).secrets[0] as string)}`,
            ),
            `marker=${tag}-query`,
          ].join('&');
          const requestBody = {
            model: 'claude-test',
            max_tokens: 64,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: `${tag}-json ${credentials.map(note).join(' | ')}` },
                ],
              },
            ],
            metadata: Object.fromEntries(
              credentials.flatMap((c, i) => [
                [`n${i}`, note(c)],
                [c.text, i],
              ]),
            ),
            nested: credentials.map((c) => [{ deep: { value: c.text } }]),
          };
          const responseHeaders: Record<string, string> = {
            'content-type': 'application/json',
            'x-marker': `${tag}-response-header`,
          };
          CREDENTIAL_HEADERS.forEach((name, i) => {
            responseHeaders[name] = opaque[i] as string;
          });
          oneLine.forEach((c, i) => {
            responseHeaders[`x-note-${i}`] = note(c);
          });
          server.script(`${tag}-json`, {
            headers: responseHeaders,
            body: JSON.stringify({
              id: 'msg_1',
              type: 'message',
              role: 'assistant',
              model: 'claude-test',
              content: [
                { type: 'text', text: `${tag}-response ${credentials.map(note).join('\n')}` },
                {
                  type: 'tool_use',
                  id: 'toolu_1',
                  name: 'lookup',
                  input: Object.fromEntries(credentials.map((c, i) => [`a${i}`, c.text])),
                },
              ],
              stop_reason: 'tool_use',
              usage: { input_tokens: 3, output_tokens: 5 },
              echo: Object.fromEntries(credentials.map((c, i) => [c.text, i])),
            }),
          });
          const whole = await f(`${base}?${query}`, {
            method: 'POST',
            headers,
            body: JSON.stringify(requestBody),
          });
          expect(whole.status).toBe(200);
          await whole.arrayBuffer();

          // 2. A streamed response: each secret split across two chunks, as the client reads them.
          const sse = sseEvents([`${tag}-sse`, ...credentials.map(note)]);
          const pieces = piecesOf(sse, cutsFor(sse, credentials, inside, extra));
          server.script(`${tag}-sse`, {
            headers: { 'content-type': 'text/event-stream', 'x-note': note(oneLine[0]!) },
            pieces,
          });
          const streamed = await f(base, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-script': `${tag}-sse` },
            body: JSON.stringify({ ...requestBody, stream: true }),
          });
          const reader = (streamed.body as ReadableStream<Uint8Array>).getReader();
          let read = 0;
          for (let next = await reader.read(); !next.done; next = await reader.read()) {
            read += next.value.byteLength;
            server.received(`${tag}-sse`, read);
          }
          expect(read).toBe(Buffer.byteLength(sse));

          // 3. A text body and a form body.
          server.script(`${tag}-echo`, { headers: { 'content-type': 'text/plain' }, body: 'ok' });
          for (const [type, body] of [
            [
              'text/plain',
              [`${tag}-text`, ...credentials.map((c, i) => `line ${i}: ${c.text}`)].join('\n'),
            ],
            [
              'application/x-www-form-urlencoded',
              new URLSearchParams([
                ...credentials.map((c, i): [string, string] => [`f${i}`, note(c)]),
                ['marker', `${tag}-form`],
              ]).toString(),
            ],
          ] as const) {
            const response = await f(`${server.url}/echo`, {
              method: 'POST',
              headers: { 'content-type': type, 'x-script': `${tag}-echo` },
              body,
            });
            expect(await response.text()).toBe('ok');
          }

          // 4. User info in the URL: fetch refuses it, quoting the URL; the failure is recorded.
          const host = server.url.slice('http://'.length);
          for (const url of [
            `http://app:${encodeURIComponent(userinfo.text)}@${host}/v1/messages`,
            `http://${encodeURIComponent(token.text)}@${host}/v1/messages`,
          ]) {
            await expect(f(url, { method: 'POST', body: '{}' })).rejects.toThrow(TypeError);
          }
          await transport.close();

          const used = [...credentials, userinfo, token];
          // While the store is open, what was committed may be in the log and not yet in the file.
          const wal = `${path}-wal`;
          const open = {
            file: readFileSync(path),
            wal: existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0),
          };
          expect(leaks(open.file, used, opaque)).toEqual([]);
          expect(leaks(open.wal, used, opaque)).toEqual([]);
          const written = Buffer.concat([open.file, open.wal]);
          for (const place of [
            'header',
            'query',
            'json',
            'response-header',
            'response',
            'sse',
            'text',
            'form',
          ]) {
            expect(written.includes(`${tag}-${place}`), `the ${place} marker is missing`).toBe(
              true,
            );
          }

          // The streamed body kept the chunks the client read: every secret was split.
          const tape = store.load('run');
          const exchanges = tape.events.filter((e): e is ExchangeEvent => e.type === 'exchange');
          expect(exchanges).toHaveLength(6);
          const stream = exchanges[1]?.response?.body;
          expect(stream?.kind === 'stream' && stream.chunks.length).toBe(pieces.length);

          // An export of the tape, as JSON and as OTLP.
          const envelope = exportActionTraces(
            tracesFromTape(tape, { startedAt: '2026-01-01T00:00:00Z' }),
            { allowRawResults: true },
          );
          expect(envelope.traces.length).toBeGreaterThanOrEqual(4);
          const exported = JSON.stringify(envelope) + JSON.stringify(toOtlp(envelope));
          expect(leaks(exported, used, opaque)).toEqual([]);

          store.close();
          // Closed, the log is folded back into one file.
          expect(existsSync(wal)).toBe(false);
          const closed = readFileSync(path);
          expect(leaks(closed, used, opaque)).toEqual([]);
          expect(closed.includes(`${tag}-sse`)).toBe(true);
          rmSync(path, { force: true });
        },
      ),
      { numRuns: 20 },
    );
  });
});
