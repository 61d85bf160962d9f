import { describe, expect, it } from 'vitest';
import { ExportError } from '../errors.js';
import { fakeSecrets, randomChars } from '../test-support.js';
import { createRedactor, isPlaceholder } from './redactor.js';

describe('value detectors', () => {
  const redactor = createRedactor();

  it('removes each credential format and names its kind', () => {
    for (const { kind, value } of fakeSecrets()) {
      const out = redactor.redactString(`before ${value} after`);
      expect(out, kind).not.toContain(value);
      expect(out, kind).toBe(`before [REDACTED:${kind}] after`);
    }
  });

  it('keeps the context around bearer tokens, assignments and URL passwords', () => {
    const token = randomChars(32);
    expect(redactor.redactString(`Authorization: Bearer ${token}`)).toBe(
      'Authorization: [REDACTED:authorization]',
    );
    expect(redactor.redactString(`sent bearer ${token} upstream`)).toBe(
      'sent bearer [REDACTED:bearer] upstream',
    );
    const password = randomChars(12);
    expect(redactor.redactString(`db password=${password}&x=1`)).toBe(
      'db password=[REDACTED:password]&x=1',
    );
    expect(redactor.redactString(`{"api_key": "${password} two words"}`)).toBe(
      '{"api_key": "[REDACTED:api_key]"}',
    );
    expect(redactor.redactString(`postgres://app:${password}@db.internal:5432/x`)).toBe(
      'postgres://app:[REDACTED:url_password]@db.internal:5432/x',
    );
    const basic = Buffer.from(`user:${password}`).toString('base64');
    expect(redactor.redactString(`Basic ${basic}`)).toBe('Basic [REDACTED:basic_auth]');
    // "Basic" as an English word is left alone.
    expect(redactor.redactString('Basic understanding required')).toBe(
      'Basic understanding required',
    );
  });

  it('never lets one match swallow the start of another credential (cases fast-check found)', () => {
    const body = randomChars(40);
    const block = `-----BEGIN ${'RSA PRIVATE'} KEY-----\n${body}\n-----END ${'RSA PRIVATE'} KEY-----`;
    for (const text of [
      `0:=${block}`,
      `password: "${block}"`,
      `Bearer ${block}`,
      `token=${block}`,
    ]) {
      expect(redactor.redactString(text), text).not.toContain(body);
    }
    const jwt = fakeSecrets().find((s) => s.kind === 'jwt')!.value;
    expect(redactor.redactString(`${jwt}password: x`)).toBe('[REDACTED:jwt]: [REDACTED:password]');
    // A placeholder in a key does not make the key look like a credential key on a second pass.
    const once = redactor.redactValue({ [` ${fakeSecrets()[2]!.value} `]: 0 });
    expect(redactor.redactValue(once)).toEqual(once);
  });

  it('stays linear on long words that repeat a detector’s trigger (each once took seconds to minutes)', () => {
    // Tool output is attacker-controlled text: a crafted string must not stall the export.
    // Before bounding these detectors, the first took cubic time, the others quadratic.
    for (const text of [
      `${'aws_secret'.repeat(2000)}:`,
      `${'secret'.repeat(100_000)}:`,
      `${'xtoken'.repeat(100_000)}:`,
      'eyJa'.repeat(60_000),
    ]) {
      expect(redactor.redactString(text)).toBe(text);
    }
    // The bounds still cover real names and tokens.
    const value = randomChars(40);
    expect(redactor.redactString(`AWS_SECRET_ACCESS_KEY=${value}`)).toBe(
      'AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_key]',
    );
    expect(redactor.redactString(`spring.datasource.primary.password=${value}`)).toBe(
      'spring.datasource.primary.password=[REDACTED:password]',
    );
    const jwt = fakeSecrets().find((s) => s.kind === 'jwt')!.value;
    expect(redactor.redactString(`id_token=${jwt}`)).toBe('id_token=[REDACTED:token]');
    expect(redactor.redactString(`(${jwt})`)).toBe('([REDACTED:jwt])');
  });

  it('finds an AWS secret access key by its context', () => {
    const secret = randomChars(40);
    const out = redactor.redactString(`aws_secret_access_key = ${secret}`);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED:aws_secret_key]');
  });

  it('removes OpenPGP private key blocks, terminated or not, as private keys', () => {
    const body = randomChars(64);
    const armour = (end: boolean) =>
      `-----BEGIN PGP ${'PRIVATE'} KEY BLOCK-----\n\nlQOYB${body}\n=${randomChars(4)}${end ? `\n-----END PGP ${'PRIVATE'} KEY BLOCK-----` : ''}`;
    expect(redactor.redactString(`key: ${armour(true)} done`)).toBe(
      'key: [REDACTED:private_key] done',
    );
    expect(redactor.redactString(`key: ${armour(false)}`)).toBe('key: [REDACTED:private_key]');
    expect(JSON.stringify(redactor.redactValue({ note: armour(true) }))).not.toContain(body);
  });

  it('removes an unterminated private key block to the end', () => {
    const body = randomChars(80);
    const out = redactor.redactString(`key: -----BEGIN ${'EC PRIVATE'} KEY-----\n${body}`);
    expect(out).toBe('key: [REDACTED:private_key]');
  });

  it('leaves counts, settings and ordinary text alone', () => {
    const text = 'max_tokens: 1024, input_tokens=17, tokenizer ok, 192.168.100.200, 2024-01-15';
    expect(redactor.redactString(text)).toBe(text);
    expect(redactor.redactValue({ max_tokens: 1024, usage: { output_tokens: 3 } })).toEqual({
      max_tokens: 1024,
      usage: { output_tokens: 3 },
    });
  });

  it('redacts PII only when asked, and card numbers only when asked', () => {
    const email = `${randomChars(6).toLowerCase()}@example.com`;
    const text = `mail ${email} or call +1 415-555-0132, card 4111 1111 1111 1111`;
    expect(redactor.redactString(text)).toBe(text);
    expect(createRedactor({ pii: true }).redactString(text)).toBe(
      'mail [REDACTED:email] or call [REDACTED:phone], card 4111 1111 1111 1111',
    );
    expect(createRedactor({ pii: { email: true } }).redactString(text)).toContain(
      '+1 415-555-0132',
    );
    expect(redactor.redactString(text, { pci: true })).toContain('card [REDACTED:card_number]');
    // A number that fails the Luhn check is not a card.
    expect(redactor.redactString('id 4111 1111 1111 1112', { pci: true })).toBe(
      'id 4111 1111 1111 1112',
    );
  });
});

describe('structured redaction', () => {
  it('applies key-name rules at any depth, to any value type, and to header pairs', () => {
    const redactor = createRedactor();
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

  it('applies user path rules with * and **, and extra key names', () => {
    const redactor = createRedactor({
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
  });

  it('turns non-JSON values into JSON and refuses cycles with a typed error', () => {
    const redactor = createRedactor();
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
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => redactor.redactValue(cyclic)).toThrowError(ExportError);
    try {
      redactor.redactValue(cyclic);
    } catch (error) {
      expect((error as ExportError).code).toBe('EXPORT_INVALID_TRACE');
    }
    // A value seen twice but not inside itself is not a cycle.
    const shared = { x: 1 };
    expect(redactor.redactValue({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('keyed-hash placeholders join equal secrets without revealing them', () => {
    const key = randomChars(32);
    const redactor = createRedactor({ hashKey: key });
    const [a, b] = fakeSecrets();
    const first = redactor.redactString(`x ${a!.value}`);
    const again = redactor.redactString(`y ${a!.value}`);
    const other = redactor.redactString(`x ${b!.value}`);
    const hashOf = (s: string) => /#([0-9a-f]{16})\]/.exec(s)?.[1];
    expect(hashOf(first)).toBeDefined();
    expect(hashOf(first)).toBe(hashOf(again));
    expect(hashOf(first)).not.toBe(hashOf(other));
    expect(
      hashOf(createRedactor({ hashKey: randomChars(32) }).redactString(`x ${a!.value}`)),
    ).not.toBe(hashOf(first));
    expect(redactor.redactString(first)).toBe(first);
    expect(isPlaceholder(first.slice(2))).toBe(true);
  });

  it('rejects malformed options with EXPORT_INVALID_OPTIONS', () => {
    for (const options of [{ paths: ['a..b'] }, { keys: [''] }, { hashKey: 'short' }]) {
      expect(() => createRedactor(options)).toThrowError(
        expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }),
      );
    }
  });
});
