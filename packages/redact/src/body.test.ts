import { fakeCredential, randomChars } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { compileRedactor } from './redactor.js';

const redactor = compileRedactor();
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('redactBody', () => {
  it('returns the same bytes when nothing is found', () => {
    const body = encode(JSON.stringify({ model: 'm', max_tokens: 1024, messages: [] }));
    expect(redactor.redactBody(body, 'application/json')).toBe(body);
    const text = encode('plain text, café, 日本語');
    expect(redactor.redactBody(text, 'text/plain')).toBe(text);
  });

  it('keeps a JSON body valid and every unchanged byte as it was', () => {
    const key = fakeCredential('anthropic_key').text;
    const pem = fakeCredential('private_key_pem');
    // Spacing, key order, a big integer and escaped text are kept exactly.
    const source = `{ "id": 123456789012345678901234567890, "name": "caf\\u00e9",
  "x-api-key" : {"nested": [1, 2]}, "password": 42, "note": "use ${key} now",
  "pem": ${JSON.stringify(pem.text)}, "list": [ ["Authorization", "opaque"] ] }`;
    const out = decode(redactor.redactBody(encode(source), 'application/json; charset=utf-8'));
    expect(out).toBe(`{ "id": 123456789012345678901234567890, "name": "caf\\u00e9",
  "x-api-key" : "[REDACTED:api_key]", "password": "[REDACTED:password]", "note": "use [REDACTED:anthropic_key] now",
  "pem": "[REDACTED:private_key]", "list": [ ["Authorization", "[REDACTED:authorization]"] ] }`);
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it('redacts JSON held in a JSON string as JSON, so tool arguments stay parseable', () => {
    const body = JSON.stringify({
      tool_calls: [{ function: { arguments: JSON.stringify({ password: 1234, q: 'x' }) } }],
    });
    const out = JSON.parse(decode(redactor.redactBody(encode(body), 'application/json')));
    expect(JSON.parse(out.tool_calls[0].function.arguments)).toEqual({
      password: '[REDACTED:password]',
      q: 'x',
    });
  });

  it('applies body fields as transport always did: a bare name anywhere, a path from the root', () => {
    const withFields = compileRedactor({ bodyFields: ['login.id', 'user_ref', 'items[*].ssn'] });
    const body = JSON.stringify({
      login: { id: 't1' },
      other: { login: { id: 't2' } },
      list: [{ user_ref: 'p1' }],
      items: [{ ssn: 'a' }, { ssn: 'b' }],
    });
    expect(JSON.parse(decode(withFields.redactBody(encode(body))))).toEqual({
      login: { id: '[REDACTED:path]' },
      other: { login: { id: 't2' } },
      list: [{ user_ref: '[REDACTED:path]' }],
      items: [{ ssn: '[REDACTED:path]' }, { ssn: '[REDACTED:path]' }],
    });
  });

  it('reads form bodies, event streams and NDJSON by their type, and leaves binary alone', () => {
    const secret = randomChars(20);
    expect(
      decode(
        redactor.redactBody(
          encode(`grant_type=client_credentials&client_secret=${secret}&scope=a+b`),
          'application/x-www-form-urlencoded',
        ),
      ),
    ).toBe('grant_type=client_credentials&client_secret=[REDACTED:secret]&scope=a+b');
    const sse = `event: delta\ndata: {"token": 5, "text": "hi"}\n\ndata: [DONE]\n\n`;
    expect(decode(redactor.redactBody(encode(sse), 'text/event-stream'))).toBe(
      'event: delta\ndata: {"token": "[REDACTED:token]", "text": "hi"}\n\ndata: [DONE]\n\n',
    );
    const lines = '{"secret": 1}\n{"ok": 2}\nnot json password=abc\n';
    expect(decode(redactor.redactBody(encode(lines), 'application/x-ndjson'))).toBe(
      '{"secret": "[REDACTED:secret]"}\n{"ok": 2}\nnot json password=[REDACTED:password]\n',
    );
    const binary = encode(`\0\x01password=${secret}`);
    expect(redactor.redactBody(binary, 'application/octet-stream')).toBe(binary);
    expect(redactor.redactBody(binary)).toBe(binary);
  });

  it('keeps multi-byte characters next to a secret intact, and invalid UTF-8 as it was', () => {
    const key = fakeCredential('openai_project_key').text;
    const text = `日本語${key}é — password=pässwörd ok`;
    const out = redactor.redactBody(encode(text), 'text/plain');
    expect(decode(out)).toBe(redactor.redactString(text));
    expect(decode(out)).toBe('日本語[REDACTED:openai_key]é — password=[REDACTED:password] ok');
    const invalid = new Uint8Array([0xff, 0xfe, ...encode(` ${key} `), 0xc3]);
    const cleaned = redactor.redactBody(invalid, 'text/plain');
    expect([...cleaned.slice(0, 3)]).toEqual([0xff, 0xfe, 0x20]);
    expect(cleaned.at(-1)).toBe(0xc3);
    expect(decode(cleaned)).not.toContain(key);
  });

  it('stays linear on crafted JSON: deep nesting, nested pairs, deep path rules', () => {
    // Each of these once took seconds to minutes: nested pairs parsed every level's span again,
    // and a `**` rule was matched against the whole path at every value.
    const hashed = compileRedactor({ bodyFields: ['**.x', 'a.**.b'], hashKey: 'k'.repeat(16) });
    const cases = [
      `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
      `${'[ "secret=1",'.repeat(20_000)}1${']'.repeat(20_000)}`,
      `${'{"name":"token","value":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
      `${'{"a":'.repeat(20_000)}{"x":1}${'}'.repeat(20_000)}`,
    ];
    for (const text of cases) {
      const out = decode(hashed.redactBody(encode(text), 'application/json'));
      expect(out.length).toBeLessThanOrEqual(text.length + 64);
    }
    // The outermost pair wins; what it held is gone.
    const nested = decode(hashed.redactBody(encode(cases[1]!), 'application/json'));
    expect(nested).toMatch(
      /^\[ "secret=\[REDACTED:secret#[0-9a-f]{16}\]","\[REDACTED:secret#[0-9a-f]{16}\]"\]$/,
    );
  });

  it('falls back to text for a body that claims JSON but is not, and never throws on it', () => {
    const key = fakeCredential('slack_bot_token').text;
    const out = redactor.redactBody(encode(`{"broken": "${key}"`), 'application/json');
    expect(decode(out)).toBe('{"broken": "[REDACTED:slack_token]"');
  });
});
