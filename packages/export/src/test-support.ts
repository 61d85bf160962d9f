/**
 * Test helpers: fake credentials built at run time, so nothing secret-looking is committed, and
 * small tape/audit builders. Not part of the public API.
 */
import { randomInt } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import schema from '../schema/action-trace-v1.schema.json' with { type: 'json' };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomChars(n: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** One fake credential of each kind the detectors know, with the kind it should be reported as. */
export function fakeSecrets(): { kind: string; value: string }[] {
  return [
    { kind: 'anthropic_key', value: `${'sk-'}ant-api03-${randomChars(40)}` },
    { kind: 'openai_key', value: `${'sk-'}proj-${randomChars(48)}` },
    { kind: 'aws_access_key', value: `${'AK'}IA${randomChars(16, UPPER_DIGITS)}` },
    { kind: 'github_token', value: `${'gh'}p_${randomChars(36)}` },
    { kind: 'github_token', value: `${'github'}_pat_${randomChars(30)}` },
    {
      kind: 'jwt',
      value: `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${randomChars(8)}"}`)}.${randomChars(32)}`,
    },
    {
      kind: 'private_key',
      value: `-----BEGIN ${'PRIVATE'} KEY-----\n${randomChars(64)}\n${randomChars(64)}\n-----END ${'PRIVATE'} KEY-----`,
    },
    { kind: 'google_api_key', value: `${'AI'}za${randomChars(35)}` },
    { kind: 'slack_token', value: `${'xo'}xb-${randomChars(12, '0123456789')}-${randomChars(24)}` },
  ];
}

/** A generated fake credential and its random parts, none of which may survive redaction. */
export interface GeneratedSecret {
  readonly secret: string;
  readonly cores: readonly string[];
}

/** A fast-check arbitrary of fresh fake credentials (each run draws new characters). */
export const secretArb: fc.Arbitrary<GeneratedSecret> = fc
  .record({
    pick: fc.nat(),
    body: fc.string({ unit: fc.constantFrom(...ALNUM.split('')), minLength: 40, maxLength: 48 }),
    upper: fc.string({
      unit: fc.constantFrom(...UPPER_DIGITS.split('')),
      minLength: 16,
      maxLength: 16,
    }),
  })
  .map(({ pick, body, upper }): GeneratedSecret => {
    const makers: (() => GeneratedSecret)[] = [
      () => ({ secret: `${'sk-'}ant-api03-${body}`, cores: [body] }),
      () => ({ secret: `${'sk-'}proj-${body}`, cores: [body] }),
      () => ({ secret: `${'AK'}IA${upper}`, cores: [upper] }),
      () => ({ secret: `${'gh'}p_${body}`, cores: [body] }),
      () => ({
        secret: `${b64url('{"alg":"none"}')}.${b64url(`{"sub":"${body.slice(0, 8)}"}`)}.${body}`,
        cores: [body],
      }),
      () => ({
        secret: `-----BEGIN ${'RSA PRIVATE'} KEY-----\n${body}\n-----END ${'RSA PRIVATE'} KEY-----`,
        cores: [body],
      }),
      () => ({
        secret: `-----BEGIN PGP ${'PRIVATE'} KEY BLOCK-----\n\n${body}\n-----END PGP ${'PRIVATE'} KEY BLOCK-----`,
        cores: [body],
      }),
      () => ({ secret: `${'AI'}za${body.slice(0, 35)}`, cores: [body.slice(0, 35)] }),
      () => ({ secret: `${'gh'}o_${body}`, cores: [body] }),
    ];
    return makers[pick % makers.length]!();
  });

/** A string that embeds `secret` between random text, separated as real text separates words. */
export function embed(secret: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(' ', '\n', '"', '=', ': ', ',', '('),
      fc.constantFrom(' ', '\n', '"', ',', ')'),
      fc.string({ maxLength: 12 }),
    )
    .map(([before, open, close, after]) => `${before}${open}${secret}${close}${after}`);
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
/** The shipped schema, compiled with a real draft 2020-12 validator. */
export const validateEnvelope = ajv.compile(schema);

/** A stricter copy of the schema: every object with declared properties allows no others. */
export function strictSchema(): object {
  const copy = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    if (
      record.type === 'object' &&
      record.properties !== undefined &&
      record.additionalProperties === undefined
    ) {
      record.unevaluatedProperties = false;
    }
    Object.values(record).forEach(visit);
  };
  visit(copy);
  copy.$id = 'https://trace.dev/schema/action-trace/v1-strict.json';
  return copy;
}
export const validateStrict = new Ajv2020({ allErrors: true, strict: false }).compile(
  strictSchema(),
);

const encoder = new TextEncoder();
export const bytes = (text: string): Uint8Array => encoder.encode(text);
export const jsonBytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

/** An SSE body from `[event, data]` pairs. */
export function sse(events: readonly (readonly [string | undefined, unknown])[]): string {
  return events
    .map(
      ([event, data]) =>
        `${event !== undefined ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    )
    .join('');
}

/** Splits text into stream chunks of `size` bytes with increasing offsets. */
export function chunked(
  text: string,
  size: number,
  stepMs = 5,
): { offsetMs: number; bytes: Uint8Array }[] {
  const all = bytes(text);
  const chunks: { offsetMs: number; bytes: Uint8Array }[] = [];
  for (let i = 0; i < all.length; i += size) {
    chunks.push({ offsetMs: (chunks.length + 1) * stepMs, bytes: all.slice(i, i + size) });
  }
  return chunks;
}
