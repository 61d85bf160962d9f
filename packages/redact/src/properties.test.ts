import type { Chunk } from '@trace/spec';
import { fakeCredentialArb, findLeak, randomChars, seededRandom } from '@trace/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyText,
  chunksOf,
  cleanJson,
  cleanText,
  cutsOf,
  embed,
  jsonWith,
} from './__tests__/arbitraries.js';
import { compileRedactor, type Redactor } from './redactor.js';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
/** An opaque secret (a letter, then letters and digits) drawn from a seed, so cases replay. */
const fakeOpaque = (seed: number): string => `q${randomChars(17, undefined, seededRandom(seed))}`;
const joined = (chunks: readonly Chunk[]) => Buffer.concat(chunks.map((c) => c.bytes));

/** A redactor with and without keyed hashes and PII: the guarantees hold for every configuration. */
const redactorArb: fc.Arbitrary<Redactor> = fc
  .record({ hashed: fc.boolean(), pii: fc.boolean() })
  .map(({ hashed, pii }) =>
    compileRedactor({ pii, ...(hashed ? { hashKey: 'property-test-key-0123456789' } : {}) }),
  );

/** How a JSON body may be written: compact, indented, or with spaces around separators. */
const spacingArb = fc.constantFrom<(value: unknown) => string>(
  (v) => JSON.stringify(v),
  (v) => JSON.stringify(v, null, 2),
  (v) => JSON.stringify(v, null, 1).replace(/":/g, '" :'),
);

describe('no generated secret survives, in any place that can carry it', () => {
  it('text', () => {
    fc.assert(
      fc.property(
        redactorArb,
        fakeCredentialArb().chain((c) => fc.tuple(fc.constant(c), embed(c.text))),
        (redactor, [credential, text]) => {
          const out = redactor.redactString(text);
          expect(findLeak(out, credential), out).toBeUndefined();
        },
      ),
      { numRuns: 400 },
    );
  });

  it('JSON values, by redactValue and redactJson, keys included', () => {
    fc.assert(
      fc.property(
        redactorArb,
        fakeCredentialArb().chain((c) => fc.tuple(fc.constant(c), jsonWith(c.text))),
        (redactor, [credential, value]) => {
          const viaValue = JSON.stringify(redactor.redactValue(value));
          expect(findLeak(viaValue, credential), viaValue).toBeUndefined();
          const viaJson = JSON.stringify(redactor.redactJson(value)) ?? '';
          expect(findLeak(viaJson, credential), viaJson).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('JSON bodies: nothing leaks, the body stays valid JSON', () => {
    fc.assert(
      fc.property(
        redactorArb,
        fakeCredentialArb().chain((c) => fc.tuple(fc.constant(c), jsonWith(c.text), spacingArb)),
        (redactor, [credential, value, write]) => {
          const out = decode(redactor.redactBody(encode(write(value)), 'application/json'));
          expect(findLeak(out, credential), out).toBeUndefined();
          expect(() => JSON.parse(out)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('headers, names and values', () => {
    fc.assert(
      fc.property(
        redactorArb,
        fakeCredentialArb().chain((c) =>
          fc.tuple(
            fc.constant(c),
            // A header value holds no line breaks.
            embed(c.text).map((t) => t.replace(/[\r\n]/g, ' ')),
            fc.constantFrom('x-note', 'x-api-key', 'Authorization', 'x-amz-security-token'),
          ),
        ),
        (redactor, [credential, value, name]) => {
          const out = JSON.stringify(
            redactor.redactHeaders([
              [name, value],
              ['accept', value],
              [credential.text.replace(/[^!-~]/g, ''), 'x'],
            ]),
          );
          expect(findLeak(out, credential), out).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('URLs: query values (encoded), the path, the user info', () => {
    fc.assert(
      fc.property(
        redactorArb,
        fakeCredentialArb().chain((c) =>
          fc.tuple(
            fc.constant(c),
            embed(c.text),
            fc.constantFrom('q', 'note', 'api_key', 'token', 'sig'),
          ),
        ),
        fc.constantFrom('app', ''),
        (redactor, [credential, value, name], user) => {
          const pathSafe = /^[!-~]+$/.test(credential.text) && !/[?#%]/.test(credential.text);
          const path = pathSafe ? `/v1/${credential.text}/x` : '/v1/x';
          // An empty user name too: `redis://:PASSWORD@host` is the usual Redis form.
          const url = `https://${user}:${encodeURIComponent(credential.secrets[0]!)}@api.example.com${path}?${name}=${encodeURIComponent(value)}&page=2`;
          const out = redactor.redactUrl(url);
          let decoded = out;
          try {
            decoded = decodeURIComponent(out);
          } catch {
            // Kept as it is.
          }
          for (const form of [out, decoded])
            expect(findLeak(form, credential), out).toBeUndefined();
          for (const part of credential.secrets)
            expect(out).not.toContain(encodeURIComponent(part));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('whole and streamed bodies of every kind, split anywhere', () => {
    const bodyArb = fakeCredentialArb().chain((c) =>
      fc.tuple(
        fc.constant(c),
        fc.oneof(
          embed(c.text).map((t) => ['text/plain', `note: ${t}`] as const),
          jsonWith(c.text).map((v) => ['application/json', JSON.stringify(v)] as const),
          jsonWith(c.text).map(
            (v) =>
              [
                'text/event-stream',
                `event: delta\ndata: ${JSON.stringify({ delta: v })}\n\ndata: ${JSON.stringify(v)}\n\n`,
              ] as const,
          ),
          embed(c.text).map(
            (t) =>
              [
                'application/x-www-form-urlencoded',
                `a=1&note=${encodeURIComponent(t)}&b=${encodeURIComponent(t)}`,
              ] as const,
          ),
          embed(c.text).map((t) => [undefined, t] as const),
        ),
      ),
    );
    fc.assert(
      fc.property(
        redactorArb,
        bodyArb.chain(([c, [type, text]]) => {
          const bytes = encode(text);
          return fc.tuple(
            fc.constant(c),
            fc.constant(type),
            fc.constant(bytes),
            cutsOf(bytes.length),
          );
        }),
        (redactor, [credential, type, bytes, cuts]) => {
          const whole = redactor.redactBody(bytes, type);
          const wholeText = decode(whole);
          let visible = wholeText;
          if (type === 'application/x-www-form-urlencoded') {
            visible = decodeURIComponent(wholeText.replace(/\+/g, ' '));
          }
          expect(findLeak(visible, credential), wholeText).toBeUndefined();
          const chunks = chunksOf(bytes, cuts);
          const streamed = redactor.redactStream(chunks, type);
          // The chunks keep their number and offsets, and together say what the whole body says.
          expect(streamed.map((c) => c.offsetMs)).toEqual(chunks.map((c) => c.offsetMs));
          expect(Buffer.compare(joined(streamed), Buffer.from(whole))).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Key names whose value is a credential whatever it looks like, as agents' tools write them. */
const CREDENTIAL_KEYS = [
  'auth',
  'Auth',
  'pass',
  'pwd',
  'PWD',
  'dsn',
  'DSN',
  'connectionString',
  'connection_string',
  'password',
  'db_password',
  'api_key',
  'x-api-key',
  'Authorization',
  'client_secret',
  'access_token',
  'private_key',
  'credentials',
] as const;

describe('no value under a credential key survives, whatever it looks like', () => {
  it('as an object key, in JSON bodies, text assignments, query strings and headers', () => {
    fc.assert(
      fc.property(
        redactorArb,
        fc.constantFrom(...CREDENTIAL_KEYS),
        // An opaque value no value detector recognises: only the key can tell it is a secret.
        fc.integer().map((seed) => fakeOpaque(seed)),
        fc.constantFrom('=', ': ', '=', ' = ', ':'),
        spacingArb,
        (redactor, key, secret, assign, write) => {
          const value = { note: 'retry', nested: [{ [key]: secret }] };
          const outputs = [
            JSON.stringify(redactor.redactValue(value)),
            JSON.stringify(redactor.redactJson(value)),
            decode(redactor.redactBody(encode(write(value)), 'application/json')),
            decode(redactor.redactBody(encode(write(value)), 'text/plain')),
            redactor.redactString(`tool said ${key}${assign}${secret} and stopped`),
            redactor.redactString(`{"${key}": "${secret}"}`),
            redactor.redactUrl(`https://api.example.com/v1/x?page=2&${key}=${secret}`),
            JSON.stringify(redactor.redactHeaders([[key, secret]])),
          ];
          for (const out of outputs) expect(out, `${key}: ${out}`).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('bytes and text agree', () => {
  it('a text body redacted as bytes is the text redacted as a string, encoded', () => {
    // Bodies are scanned as latin1 (one character per byte); multi-byte characters right next to
    // secrets must not shift or split a match.
    fc.assert(
      fc.property(
        redactorArb,
        fakeCredentialArb().chain((c) => embed(c.text)),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
        (redactor, text, multibyte) => {
          const body = `x ${multibyte}${text}${multibyte}`;
          const out = redactor.redactBody(encode(body), 'text/plain');
          expect(decode(out)).toBe(redactor.redactString(body));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('redaction is idempotent', () => {
  it('for strings, values, JSON, bodies, streams, URLs and headers', () => {
    fc.assert(
      fc.property(
        redactorArb,
        fakeCredentialArb().chain((c) =>
          fc.tuple(embed(c.text), jsonWith(c.text), anyText(), cutsOf(64)),
        ),
        (redactor, [text, value, extra, cuts]) => {
          const once = redactor.redactString(text);
          expect(redactor.redactString(once)).toBe(once);
          const value1 = redactor.redactValue(value);
          expect(redactor.redactValue(value1)).toEqual(value1);
          const json1 = redactor.redactJson(value1);
          expect(json1).toBe(value1);
          const body = redactor.redactBody(encode(JSON.stringify(value)), 'application/json');
          expect(redactor.redactBody(body, 'application/json')).toBe(body);
          const textBody = redactor.redactBody(encode(`${extra} ${text}`), 'text/plain');
          expect(redactor.redactBody(textBody, 'text/plain')).toBe(textBody);
          const stream = redactor.redactStream(chunksOf(textBody, cuts), 'text/event-stream');
          expect(redactor.redactStream(stream, 'text/event-stream')).toBe(stream);
          const url = redactor.redactUrl(
            `https://x.example/?note=${encodeURIComponent(text)}&token=${encodeURIComponent(extra)}`,
          );
          expect(redactor.redactUrl(url)).toBe(url);
          const headers = redactor.redactHeaders([['x-note', text.replace(/[\r\n]/g, ' ')]]);
          expect(redactor.redactHeaders(headers)).toEqual(headers);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('clean input comes back unchanged', () => {
  it('the same string, object, bytes and chunks', () => {
    fc.assert(
      fc.property(
        redactorArb,
        cleanText,
        cleanJson,
        spacingArb,
        fc.nat(),
        (redactor, text, value, write, cut) => {
          expect(redactor.redactString(text)).toBe(text);
          expect(redactor.redactJson(value)).toBe(value);
          expect(redactor.redactValue(value)).toEqual(JSON.parse(JSON.stringify(value)));
          const body = encode(write(value));
          expect(redactor.redactBody(body, 'application/json')).toBe(body);
          const textBody = encode(text);
          expect(redactor.redactBody(textBody)).toBe(textBody);
          const sse = encode(`event: delta\ndata: ${JSON.stringify({ text, value })}\n\n`);
          const chunks = chunksOf(sse, [1 + (cut % Math.max(1, sse.length - 1))]);
          expect(redactor.redactStream(chunks, 'text/event-stream')).toBe(chunks);
          const url = `https://api.example.com/v1/messages?q=${encodeURIComponent(text)}`;
          expect(redactor.redactUrl(url)).toBe(url);
        },
      ),
      { numRuns: 300 },
    );
  });
});
