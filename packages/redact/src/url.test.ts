import { fakeCredential, randomChars } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { compileRedactor } from './redactor.js';

const redactor = compileRedactor();

describe('redactUrl', () => {
  it('replaces key-like query values and the password, leaving every other character as it was', () => {
    const pw = randomChars(12);
    const key = randomChars(20);
    const url = `https://app:${pw}@api.example.com:8443/v1/a%20b/?api_key=${key}&key=${key}&q=a+b&sig=${key}&X-Amz-Security-Token=${key}&page=2#frag`;
    expect(redactor.redactUrl(url)).toBe(
      'https://app:[REDACTED:url_password]@api.example.com:8443/v1/a%20b/?api_key=[REDACTED:api_key]&key=[REDACTED:api_key]&q=a+b&sig=[REDACTED:signature]&X-Amz-Security-Token=[REDACTED:token]&page=2#frag',
    );
  });

  it('replaces a user info without a password, and an empty user name is fine', () => {
    const token = randomChars(30);
    expect(redactor.redactUrl(`https://${token}@git.example.com/repo.git`)).toBe(
      'https://[REDACTED:url_userinfo]@git.example.com/repo.git',
    );
    expect(redactor.redactUrl(`redis://:${token}@cache:6379/0`)).toBe(
      'redis://:[REDACTED:url_password]@cache:6379/0',
    );
  });

  it('returns a URL with no query and no user info unchanged, and still scans it', () => {
    const url = 'https://api.anthropic.com/v1/messages';
    expect(redactor.redactUrl(url)).toBe(url);
    const key = fakeCredential('google_api_key').text;
    expect(redactor.redactUrl(`https://x.example/keys/${key}/info`)).toBe(
      'https://x.example/keys/[REDACTED:google_api_key]/info',
    );
  });

  it('finds secrets percent-encoded in other parameters, and is idempotent', () => {
    const secret = fakeCredential('aws_secret_key');
    const url = `https://x.example/?note=${encodeURIComponent(secret.text)}&token=${randomChars(10)}`;
    const once = redactor.redactUrl(url);
    for (const part of secret.secrets) {
      expect(once).not.toContain(part);
      expect(once).not.toContain(encodeURIComponent(part));
    }
    expect(redactor.redactUrl(once)).toBe(once);
    // Percent-encoding stays URL-safe: a `#` in a keyed-hash placeholder stays escaped.
    const hashed = compileRedactor({ hashKey: randomChars(20) }).redactUrl(url);
    expect(hashed.split('#').length).toBe(1);
  });

  it('stays linear on a long query or form of names without values', () => {
    // Looking for the next `=` from each pair again once made this quadratic.
    const names = 'a&'.repeat(200_000);
    expect(redactor.redactUrl(`https://x.example/?${names}token=abc`)).toBe(
      `https://x.example/?${names}token=[REDACTED:token]`,
    );
    const form = new TextEncoder().encode(`${names}password=abc`);
    const out = redactor.redactBody(form, 'application/x-www-form-urlencoded');
    expect(new TextDecoder().decode(out).endsWith('password=[REDACTED:password]')).toBe(true);
  });
});
