import { fakeCredential, randomChars } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_HEADERS } from './headers.js';
import { compileRedactor } from './redactor.js';

describe('redactHeaders', () => {
  it('drops credential headers, the cloud ones included, whatever their case', () => {
    const redactor = compileRedactor();
    const value = randomChars(24);
    const headers = new Headers([
      ...CREDENTIAL_HEADERS.filter((n) => n !== 'set-cookie').map(
        (name) => [name.toUpperCase(), value] as [string, string],
      ),
      ['content-type', 'application/json'],
    ]);
    expect(redactor.redactHeaders(headers)).toEqual([['content-type', 'application/json']]);
    for (const name of [
      'x-amz-security-token',
      'x-goog-api-key',
      'api-key',
      'ocp-apim-subscription-key',
    ]) {
      expect(CREDENTIAL_HEADERS).toContain(name);
      expect(redactor.dropsHeader(name.toUpperCase())).toBe(true);
    }
  });

  it('drops headers the key-name rules call credentials, keeps counts and ids', () => {
    const redactor = compileRedactor();
    const kept = redactor.redactHeaders({
      'X-Vault-Token': 'v',
      'X-Custom-Api-Key': 'k',
      'X-Client-Secret': 's',
      'anthropic-ratelimit-tokens-remaining': '1000',
      'x-request-id': 'req_1',
      'request-id': 'req_2',
    });
    expect(kept).toEqual([
      ['anthropic-ratelimit-tokens-remaining', '1000'],
      ['x-request-id', 'req_1'],
      ['request-id', 'req_2'],
    ]);
  });

  it('scans the values of kept headers, keeps their order, and drops what the user names', () => {
    const redactor = compileRedactor({ dropHeaders: ['X-Tenant', /^x-internal-/g] });
    const token = fakeCredential('github_token').text;
    const pairs: [string, string][] = [
      ['Accept', 'application/json'],
      ['X-Forwarded', `token ${token} via proxy`],
      ['x-tenant', 't1'],
      ['X-Internal-Route', 'a'],
      ['X-Internal-Route', 'b'],
      ['X-Trace', 'Bearer abcdefgh12345678'],
    ];
    expect(redactor.redactHeaders(pairs)).toEqual([
      ['accept', 'application/json'],
      ['x-forwarded', 'token [REDACTED:github_token] via proxy'],
      ['x-trace', 'Bearer [REDACTED:bearer]'],
    ]);
    // A global pattern is tested the same way every time (its lastIndex is not carried over).
    expect(redactor.dropsHeader('x-internal-a')).toBe(true);
    expect(redactor.dropsHeader('x-internal-a')).toBe(true);
  });
});
