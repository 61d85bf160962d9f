import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmServerError } from './errors.js';
import { startLlmServer } from './server.js';
import type { LlmServer, ScriptStep } from './types.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('validation', () => {
  const badSteps: [string, unknown][] = [
    ['text', { text: 42 }],
    ['toolUse.name', { toolUse: { name: '', input: {} } }],
    ['toolUse.input', { toolUse: { name: 'x', input: [1] } }],
    ['toolUse.id', { toolUse: { id: 7, name: 'x', input: {} } }],
    ['status', { status: 200 }],
    ['status', { status: 429.5 }],
    ['status', { status: 500, text: 'both' }],
    ['delayMs', { delayMs: -1 }],
    ['chunkDelayMs', { chunkDelayMs: Number.NaN }],
    ['abortAfterChunks', { abortAfterChunks: 1.5 }],
    ['encoding', { encoding: 'deflate' }],
    ['headers.x-bad', { headers: { 'x-bad': 'line\r\nbreak' } }],
    ['headers.bad name', { headers: { 'bad name': 'v' } }],
    ['txet', { txet: 'typo' }],
    ['(the step itself)', null],
  ];

  it.each(badSteps)(
    'enqueue rejects a bad %s with LLM_SERVER_INVALID_STEP',
    async (field, step) => {
      server = await startLlmServer();
      server.enqueue({ text: 'first' });
      const error = thrown(() => server?.enqueue({ text: 'ok' }, step as ScriptStep));
      expect(LlmServerError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'LLM_SERVER_INVALID_STEP', details: { field } });
      // Nothing from a rejected batch is queued: the next reply is still 'first', then the echo.
      const texts: string[] = [];
      for (let i = 0; i < 2; i++) {
        const response = await fetch(`${server.url}/v1/messages`, {
          method: 'POST',
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'q' }] }),
        });
        const message = (await response.json()) as { content: [{ text: string }] };
        texts.push(message.content[0].text);
      }
      expect(texts).toEqual(['first', 'echo: q']);
    },
  );

  it('startLlmServer rejects a bad script step before listening', async () => {
    await expect(startLlmServer({ script: [{ delayMs: -5 }] })).rejects.toMatchObject({
      code: 'LLM_SERVER_INVALID_STEP',
    });
  });

  it.each([
    [{ port: -1 }],
    [{ port: 70_000 }],
    [{ port: 1.5 }],
    [{ script: 'nope' }],
    [{ respond: 'nope' }],
    [{ host: '0.0.0.0' }],
    [null],
  ])('startLlmServer rejects options %j with LLM_SERVER_INVALID_OPTIONS', async (options) => {
    const error = await startLlmServer(options as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(LlmServerError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'LLM_SERVER_INVALID_OPTIONS' });
  });

  it('reports a port in use as LLM_SERVER_LISTEN_FAILED with the cause kept', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const error = await startLlmServer({ port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LlmServerError);
      expect(error).toMatchObject({ code: 'LLM_SERVER_LISTEN_FAILED', details: { port } });
      expect((error as Error).cause).toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('listens on a given port', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise((resolve) => probe.close(resolve));
    server = await startLlmServer({ port });
    expect(server.url).toBe(`http://127.0.0.1:${port}`);
  });
});
