import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferedResponse } from './response.js';

const head = {
  status: 200,
  statusText: 'OK',
  headers: [['content-type', 'application/json']] as const,
  url: 'http://127.0.0.1/x',
};
const real = (bytes: Uint8Array) =>
  new Response(bytes.slice(), {
    status: 200,
    statusText: 'OK',
    headers: [['content-type', 'application/json']],
  });
type Reader = (r: Response) => Promise<unknown>;

const readers: Record<string, Reader> = {
  text: (r) => r.text(),
  arrayBuffer: async (r) => [...new Uint8Array(await r.arrayBuffer())],
  blob: async (r) => {
    const blob = await r.blob();
    return [blob.type, [...new Uint8Array(await blob.arrayBuffer())]];
  },
  body: async (r) => {
    const chunks: number[] = [];
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) chunks.push(...chunk);
    return chunks;
  },
};

async function outcome(read: Reader, response: Response): Promise<unknown> {
  try {
    return { value: await read(response) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('bufferedResponse behaves as a Response over the same bytes', () => {
  it('for every way of reading, reading twice, and cloning', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom(...Object.keys(readers)),
        fc.constantFrom(...Object.keys(readers)),
        fc.boolean(),
        async (bytes, first, second, cloneFirst) => {
          const ours = bufferedResponse(bytes, head);
          const theirs = real(bytes);
          expect([
            ours.status,
            ours.statusText,
            ours.ok,
            ours.headers.get('content-type'),
            ours.bodyUsed,
          ]).toEqual([
            theirs.status,
            theirs.statusText,
            theirs.ok,
            theirs.headers.get('content-type'),
            theirs.bodyUsed,
          ]);
          expect(ours.url).toBe(head.url);
          if (cloneFirst) {
            expect(await outcome(readers[first] as Reader, ours.clone())).toEqual(
              await outcome(readers[first] as Reader, theirs.clone()),
            );
          }
          expect(await outcome(readers[first] as Reader, ours)).toEqual(
            await outcome(readers[first] as Reader, theirs),
          );
          expect(ours.bodyUsed).toBe(theirs.bodyUsed);
          expect(await outcome(readers[second] as Reader, ours)).toEqual(
            await outcome(readers[second] as Reader, theirs),
          );
          expect(() => ours.clone()).toThrow(TypeError);
          expect(() => theirs.clone()).toThrow(TypeError);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('parses JSON, and hands out copies the caller may change', async () => {
    const bytes = new TextEncoder().encode('{"a":[1,2]}');
    expect(await bufferedResponse(bytes, head).json()).toEqual({ a: [1, 2] });
    const copy = new Uint8Array(await bufferedResponse(bytes, head).arrayBuffer());
    copy[0] = 0;
    expect(await bufferedResponse(bytes, head).text()).toBe('{"a":[1,2]}');
  });

  it('has no body for a 204', () => {
    expect(bufferedResponse(new Uint8Array(), { ...head, status: 204 }).body).toBeNull();
  });
});
