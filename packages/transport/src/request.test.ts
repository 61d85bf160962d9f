import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snapshotRequest } from './request.js';

/** What fetch itself would send: the snapshot taken through a real Request. */
async function throughRequest(input: string, init: RequestInit) {
  const request = new Request(input, init);
  const body = request.body === null ? null : new Uint8Array(await request.arrayBuffer());
  return { method: request.method, url: request.url, headers: [...request.headers], body };
}

describe('snapshotRequest', () => {
  it('takes the same snapshot on its fast path as a real Request gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('get', 'POST', 'post', 'Put', 'PATCH', 'patch', 'DELETE'),
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(
          fc.constantFrom('Content-Type', 'accept', 'X-Custom', 'anthropic-version'),
          fc.stringMatching(/^[ -~]{0,20}$/),
        ),
        fc.oneof(fc.constant(undefined), fc.string(), fc.uint8Array({ maxLength: 64 })),
        async (method, url, headers, body) => {
          const init: RequestInit = {
            method,
            headers,
            ...(body === undefined || method.toUpperCase() === 'GET' ? {} : { body }),
          };
          const { signal: _signal, consumed, ...snapshot } = await snapshotRequest(url, init);
          expect(consumed).toBe(false);
          expect(snapshot).toEqual(await throughRequest(url, init));
        },
      ),
    );
  });

  it('falls back to a Request for other inputs: a Request object, URLSearchParams, a stream', async () => {
    const params = new URLSearchParams({ a: '1' });
    const {
      signal: _s1,
      consumed: _c1,
      ...fromParams
    } = await snapshotRequest('http://127.0.0.1/x', {
      method: 'POST',
      body: params,
    });
    expect(fromParams).toEqual(
      await throughRequest('http://127.0.0.1/x', {
        method: 'POST',
        body: new URLSearchParams({ a: '1' }),
      }),
    );
    const {
      signal: _s2,
      consumed: _c2,
      ...fromRequest
    } = await snapshotRequest(
      new Request('http://127.0.0.1/y', { method: 'PUT', body: 'b' }),
      undefined,
    );
    expect(fromRequest).toMatchObject({
      method: 'PUT',
      url: 'http://127.0.0.1/y',
      body: new TextEncoder().encode('b'),
    });
    // Arguments fetch refuses throw at once, so a refused call takes no place in the issue order.
    expect(() => snapshotRequest('/relative', {})).toThrow(TypeError);
  });
});
