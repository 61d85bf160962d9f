import { fakeCredential } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { compileRedactor } from './redactor.js';

const redactor = compileRedactor();

describe('redactJson (copy-on-write)', () => {
  it('returns the very same value when nothing is found', () => {
    const value = { a: [1, 'two', { three: true }], b: null, max_tokens: 5, note: 'fine' };
    expect(redactor.redactJson(value)).toBe(value);
  });

  it('copies only the objects and arrays on the way to a change', () => {
    const key = fakeCredential('github_token').text;
    const untouched = { deep: { list: [1, 2] } };
    const value = { clean: untouched, dirty: { list: ['ok', `used ${key}`] }, apiKey: 'opaque' };
    const out = redactor.redactJson(value) as typeof value;
    expect(out).not.toBe(value);
    expect(out.clean).toBe(untouched);
    expect(out).toEqual({
      clean: { deep: { list: [1, 2] } },
      dirty: { list: ['ok', 'used [REDACTED:github_token]'] },
      apiKey: '[REDACTED:api_key]',
    });
    // The input is not changed.
    expect(value.dirty.list[1]).toBe(`used ${key}`);
    expect(value.apiKey).toBe('opaque');
  });

  it('leaves what is not plain JSON for the caller to refuse', () => {
    const when = new Date(0);
    class Custom {
      token = 'x';
    }
    const custom = new Custom();
    const value = { when, nan: Number.NaN, gone: undefined, big: 1n, custom, list: [when] };
    expect(redactor.redactJson(value)).toBe(value);
    // Under a credential key, only JSON values are replaced: a Date stays for the caller.
    const out = redactor.redactJson({ password: when, secret: 'x', token: Number.NaN }) as Record<
      string,
      unknown
    >;
    expect(out.password).toBe(when);
    expect(out.secret).toBe('[REDACTED:secret]');
    expect(out.token).toBeNaN();
  });

  it('keeps key order, renames a key that holds a secret, and never sets a prototype', () => {
    const key = fakeCredential('aws_access_key').text;
    const value = JSON.parse(
      `{"a":1,"${key}":2,"__proto__":{"x":"sk-${'ant-'}${'a'.repeat(20)}"}}`,
    );
    const out = redactor.redactJson(value) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['a', '[REDACTED:aws_access_key]', '__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({
      x: '[REDACTED:anthropic_key]',
    });
  });

  it('applies pairs and path rules like redactValue, and stops at the JSON depth limit', () => {
    const withPaths = compileRedactor({ paths: ['payload.user.ssn'] });
    const value = {
      user: { ssn: '123-45-6789', name: 'Ada' },
      headers: [['authorization', 'opaque']],
      attr: { name: 'x-api-key', value: 'opaque' },
    };
    expect(withPaths.redactJson(value, ['payload'])).toEqual({
      user: { ssn: '[REDACTED:path]', name: 'Ada' },
      headers: [['authorization', '[REDACTED:authorization]']],
      attr: { name: 'x-api-key', value: '[REDACTED:api_key]' },
    });
    let deep: unknown = { password: 'x' };
    for (let i = 0; i < 100; i++) deep = [deep];
    // Deeper than JSON allows: left as it is, for the caller's validation to refuse.
    expect(redactor.redactJson(deep)).toBe(deep);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(redactor.redactJson(cyclic)).toBe(cyclic);
  });
});
