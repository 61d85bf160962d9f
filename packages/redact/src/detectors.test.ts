import { fakeCredential, fakeCredentials, randomChars } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { compileRedactor } from './redactor.js';

const redactor = compileRedactor();

describe('value detectors', () => {
  it('removes each credential format and names its kind, keeping the context around it', () => {
    for (const credential of fakeCredentials()) {
      const out = redactor.redactString(`before ${credential.text} after`);
      expect(out, credential.format).toBe(`before ${credential.redacted} after`);
      for (const secret of credential.secrets) expect(out, credential.format).not.toContain(secret);
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

  it('finds the formats issue #19 listed as leaking', () => {
    const password = `p${randomChars(15)}`;
    const jwt = fakeCredential('jwt').text;
    for (const [text, expected] of [
      [`redis://:${password}@cache:6379/0`, 'redis://:[REDACTED:url_password]@cache:6379/0'],
      [`ref-${jwt} and session_${jwt}`, 'ref-[REDACTED:jwt] and session_[REDACTED:jwt]'],
      [`mysql --password ${password} db`, 'mysql --password [REDACTED:password] db'],
      [`mysqldump -uroot -p${password} app`, 'mysqldump -uroot -p[REDACTED:password] app'],
      [`curl -s -u admin:${password} https://x`, 'curl -s -u admin:[REDACTED:password] https://x'],
      [`curl --user=admin:${password} x`, 'curl --user=admin:[REDACTED:password] x'],
      [`Server=db;Pwd=${password};`, 'Server=db;Pwd=[REDACTED:password];'],
      [`--client-secret '${password}'`, '--client-secret [REDACTED:secret]'],
      [`keytool -storepass ${password}`, 'keytool -storepass [REDACTED:secret]'],
      [`"connectionString": "${password}"`, '"connectionString": "[REDACTED:connection_string]"'],
      // Short credential keys as whole keys, in text (a tool's output, an error message).
      [`pwd=${password}`, 'pwd=[REDACTED:password]'],
      [`pass=${password}&x=1`, 'pass=[REDACTED:password]&x=1'],
      [`{"auth":"${password}"}`, '{"auth":"[REDACTED:authorization]"}'],
      [`DSN: ${password}`, 'DSN: [REDACTED:dsn]'],
      [`{\\"dsn\\": \\"${password}\\"}`, '{\\"dsn\\": [REDACTED:dsn]}'],
    ] as const) {
      expect(redactor.redactString(text), text).toBe(expected);
    }
  });

  it('leaves command lines, ids and paths that only look like those formats alone', () => {
    for (const text of [
      'mkdir -p build && cp -pr a b',
      'docker run -u 1000:1000 image',
      'mysql -u app -p db',
      'PWD=/home/app',
      'the --max-tokens 100 and --token-limit 5 flags',
      'ls --no-color --password-file ./pw.txt',
      'git push -u origin main',
      'http://localhost:8080/path@v2',
      // Short credential keys inside longer words are ordinary words.
      'author: Jane Doe',
      'bypass=1 compass: north',
      'OAuth: enabled',
      'see auth.example.com:443',
    ]) {
      expect(redactor.redactString(text), text).toBe(text);
    }
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
    const jwt = fakeCredential('jwt').text;
    expect(redactor.redactString(`${jwt}password: x`)).toBe('[REDACTED:jwt]: [REDACTED:password]');
    // A placeholder in a key does not make the key look like a credential key on a second pass.
    const once = redactor.redactValue({ [` ${fakeCredential('aws_access_key').text} `]: 0 });
    expect(redactor.redactValue(once)).toEqual(once);
  });

  it('stays linear on long words that repeat a detector’s trigger (each once took seconds to minutes)', () => {
    // Tool output is attacker-controlled text: a crafted string must not stall a recording.
    // Before bounding these detectors, the first took cubic time, the others quadratic.
    for (const text of [
      `${'aws_secret'.repeat(2000)}:`,
      `${'secret'.repeat(100_000)}:`,
      `${'xtoken'.repeat(100_000)}:`,
      'eyJa'.repeat(60_000),
      // A JWT may now follow a `-` or `_`: its header then holds neither, so each "eyJ" of a
      // crafted word is tried in one step instead of rescanning the word.
      '-eyJa'.repeat(60_000),
      `x-eyJaaaa.${'b-eyJa'.repeat(50_000)}`,
      `--${'a-'.repeat(100_000)}`,
      `mysql ${'a '.repeat(100_000)}`,
      `${'mysql '.repeat(50_000)}`,
      `-u ${'a'.repeat(200_000)}`,
      `x://${'u:'.repeat(100_000)}`,
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
    const jwt = fakeCredential('jwt').text;
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
    expect(compileRedactor({ pii: true }).redactString(text)).toBe(
      'mail [REDACTED:email] or call [REDACTED:phone], card 4111 1111 1111 1111',
    );
    expect(compileRedactor({ pii: { email: true } }).redactString(text)).toContain(
      '+1 415-555-0132',
    );
    expect(redactor.redactString(text, { pci: true })).toContain('card [REDACTED:card_number]');
    // A number that fails the Luhn check is not a card.
    expect(redactor.redactString('id 4111 1111 1111 1112', { pci: true })).toBe(
      'id 4111 1111 1111 1112',
    );
  });

  it('treats only ASCII whitespace as a boundary, so a value runs on through any other character', () => {
    // U+00A0 is whitespace to `\s`, but its UTF-8 bytes hold 0xA0 inside other characters too
    // ("à" is C3 A0): bodies are scanned byte by byte, so no class may split there.
    const password = `${randomChars(6)}\u00a0${randomChars(6)}à${randomChars(6)}`;
    expect(redactor.redactString(`password=${password} next`)).toBe(
      'password=[REDACTED:password] next',
    );
  });
});
