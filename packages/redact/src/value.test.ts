import { fakeCredential, fakeCredentials, randomChars } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { RedactError } from './errors.js';
import { isPlaceholder } from './placeholder.js';
import { compileRedactor } from './redactor.js';

describe('redactValue', () => {
  it('applies key-name rules at any depth, to any value type, and to header pairs', () => {
    const redactor = compileRedactor();
    const out = redactor.redactValue({
      headers: [
        ['Authorization', 'opaque-value'],
        ['accept', 'json'],
      ],
      nested: [{ 'X-Api-Key': 'opaque', clientSecret: { a: 1 }, refresh_token: 42 }],
      attrs: [{ key: 'http.request.header.cookie', value: { stringValue: 'sid=1' } }],
      Password: null,
    });
    expect(out).toEqual({
      headers: [
        ['Authorization', '[REDACTED:authorization]'],
        ['accept', 'json'],
      ],
      nested: [
        {
          'X-Api-Key': '[REDACTED:api_key]',
          clientSecret: '[REDACTED:secret]',
          refresh_token: '[REDACTED:token]',
        },
      ],
      attrs: [{ key: 'http.request.header.cookie', value: '[REDACTED:cookie]' }],
      Password: '[REDACTED:password]',
    });
  });

  it('knows the key names issue #19 listed, and leaves pagination cursors alone', () => {
    const redactor = compileRedactor();
    const value = randomChars(20);
    expect(
      redactor.redactValue({
        auth: value,
        pass: value,
        dsn: value,
        connectionString: value,
        db_connection_string: value,
        nextToken: 'page-2',
        next_page_token: 'page-3',
      }),
    ).toEqual({
      auth: '[REDACTED:authorization]',
      pass: '[REDACTED:password]',
      dsn: '[REDACTED:dsn]',
      connectionString: '[REDACTED:connection_string]',
      db_connection_string: '[REDACTED:connection_string]',
      nextToken: 'page-2',
      next_page_token: 'page-3',
    });
  });

  it('applies user path rules with * and **, and extra key names', () => {
    const redactor = compileRedactor({
      paths: [
        'arguments.customer.ssn',
        { path: 'arguments.rows.*.email', kind: 'pii-email' },
        '**.dob',
      ],
      keys: ['x-tenant-key'],
    });
    const out = redactor.redactValue(
      {
        customer: { ssn: '123-45-6789', name: 'Ada' },
        rows: [{ email: 'a' }, { email: 'b', ok: 1 }],
        deep: { deeper: { dob: '1990-01-01' } },
        X_Tenant_Key: 'abc',
      },
      ['arguments'],
    );
    expect(out).toEqual({
      customer: { ssn: '[REDACTED:path]', name: 'Ada' },
      rows: [{ email: '[REDACTED:pii_email]' }, { email: '[REDACTED:pii_email]', ok: 1 }],
      deep: { deeper: { dob: '[REDACTED:path]' } },
      X_Tenant_Key: '[REDACTED:sensitive_key]',
    });
    expect(redactor.pathKind(['arguments', 'rows', '3', 'email'])).toBe('pii_email');
    expect(redactor.pathKind(['arguments', 'rows'])).toBeUndefined();
  });

  it('turns non-JSON values into JSON and refuses cycles with a typed error', () => {
    const redactor = compileRedactor();
    expect(
      redactor.redactValue({
        when: new Date(0),
        big: 10n,
        nan: Number.NaN,
        fn: () => 1,
        bytes: new Uint8Array(3),
        list: [undefined],
        set: new Set([1]),
        map: new Map([['k', 'v']]),
        err: new Error('boom'),
      }),
    ).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      big: '10',
      nan: null,
      bytes: '[BYTES:3]',
      list: [null],
      set: [1],
      map: { k: 'v' },
      err: { name: 'Error', message: 'boom' },
    });
    // A Map key with no string form (a null-prototype object) is named by its tag, not thrown on.
    expect(redactor.redactValue(new Map([[Object.create(null), 'v']]))).toEqual({
      '[object Object]': 'v',
    });
    const secretKey = fakeCredential('anthropic_key').text;
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic[secretKey] = cyclic;
    expect(() => redactor.redactValue(cyclic)).toThrowError(RedactError);
    try {
      // With path rules, positions are tracked and the message says where the cycle is.
      compileRedactor({ paths: ['x.y'] }).redactValue(cyclic);
    } catch (error) {
      expect((error as RedactError).code).toBe('REDACT_INVALID_INPUT');
      // The path names the key, redacted: an error message never carries a secret.
      expect((error as RedactError).message).toContain('[REDACTED:anthropic_key]');
      expect((error as RedactError).message).not.toContain(secretKey);
    }
    // A value seen twice but not inside itself is not a cycle.
    const shared = { x: 1 };
    expect(redactor.redactValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('keyed-hash placeholders join equal secrets without revealing them', () => {
    const key = randomChars(32);
    const redactor = compileRedactor({ hashKey: key });
    const [a, b] = fakeCredentials();
    const first = redactor.redactString(`x ${a!.text}`);
    const again = redactor.redactString(`y ${a!.text}`);
    const other = redactor.redactString(`x ${b!.text}`);
    const hashOf = (s: string) => /#([0-9a-f]{16})\]/.exec(s)?.[1];
    expect(hashOf(first)).toBeDefined();
    expect(hashOf(first)).toBe(hashOf(again));
    expect(hashOf(first)).not.toBe(hashOf(other));
    expect(
      hashOf(compileRedactor({ hashKey: randomChars(32) }).redactString(`x ${a!.text}`)),
    ).not.toBe(hashOf(first));
    expect(redactor.redactString(first)).toBe(first);
    expect(isPlaceholder(first.slice(2))).toBe(true);
    // The same secret gets the same hash in a string, in a JSON body and in a stream.
    const body = new TextEncoder().encode(JSON.stringify({ note: `é ${a!.text}` }));
    const fromBody = new TextDecoder().decode(redactor.redactBody(body, 'application/json'));
    expect(hashOf(fromBody)).toBe(hashOf(first));
  });
});

describe('names that hold a secret', () => {
  it('name their neighbour as their redacted form will, so a second pass changes nothing', () => {
    const redactor = compileRedactor();
    const slack = fakeCredential('slack_bot_token').text;
    const value = {
      pair: [`{"token":"${slack}"}`, ` ${slack} `],
      [`token ${slack}`]: 'kept only if the key is no credential',
    };
    const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const once = redactor.redactValue(value);
    expect(once).toEqual({
      pair: ['{"token":"[REDACTED:token]"}', '[REDACTED:token]'],
      'token [REDACTED:slack_token]': '[REDACTED:token]',
    });
    expect(redactor.redactValue(once)).toEqual(once);
    expect(redactor.redactJson(value)).toEqual(once);
    const body = redactor.redactBody(encode(value), 'application/json');
    expect(JSON.parse(new TextDecoder().decode(body))).toEqual(once);
    expect(redactor.redactBody(body, 'application/json')).toBe(body);
  });
});

describe('options', () => {
  it('rejects malformed options with REDACT_INVALID_OPTIONS, never echoing a secret', () => {
    const secret = fakeCredential('openai_project_key').text;
    for (const options of [
      { paths: ['a..b'] },
      { paths: [{ path: 'a', kind: 3 }] },
      { keys: [''] },
      { hashKey: 'short' },
      { hashKey: 42 },
      { pii: 'yes' },
      { cards: 1 },
      { dropHeaders: [7] },
      { bodyFields: ['..'] },
      { paths: 'a.b' },
      { hashkey: secret },
      { [secret]: true },
      [],
    ]) {
      let caught: unknown;
      try {
        compileRedactor(options as never);
      } catch (error) {
        caught = error;
      }
      expect(RedactError.isInstance(caught), JSON.stringify(options)).toBe(true);
      expect((caught as RedactError).code).toBe('REDACT_INVALID_OPTIONS');
      expect((caught as RedactError).message).not.toContain(secret);
    }
  });

  it('refuses input of the wrong type with REDACT_INVALID_INPUT', () => {
    const redactor = compileRedactor();
    for (const call of [
      () => redactor.redactBody('text' as never),
      () => redactor.redactBody(new Uint8Array(1), 3 as never),
      () => redactor.redactStream([], {} as never),
      () => redactor.redactStream([{ offsetMs: 0, bytes: 'x' }] as never),
      () => redactor.redactStream('x' as never),
      () => redactor.redactUrl(3 as never),
      () => redactor.redactString(null as never),
      () => redactor.redactHeaders(null as never),
      () => redactor.redactHeaders([['a', 1]] as never),
    ]) {
      expect(call).toThrowError(expect.objectContaining({ code: 'REDACT_INVALID_INPUT' }));
    }
  });
});
