import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANTHROPIC_MODEL,
  anthropicClient,
  OPENAI_MODEL,
  openaiClient,
  parseSse,
} from './__tests__/test-support.js';
import { startLlmServer } from './server.js';
import type { LlmServer } from './types.js';

let server: LlmServer;
beforeEach(async () => {
  server = await startLlmServer();
});
afterEach(async () => {
  await server.close();
});

const anthropicParams = {
  model: ANTHROPIC_MODEL,
  max_tokens: 10,
  messages: [{ role: 'user' as const, content: 'hi' }],
};
const openaiParams = { model: OPENAI_MODEL, messages: [{ role: 'user' as const, content: 'hi' }] };

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The raw response bytes and headers, without fetch's automatic decompression. */
function rawPost(
  path: string,
  body: unknown,
): Promise<{ headers: Record<string, unknown>; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, bytes: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('transport behaviour', () => {
  it('listens on 127.0.0.1 and exposes base URLs for both SDKs', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.anthropicBaseURL).toBe(server.url);
    expect(server.openaiBaseURL).toBe(`${server.url}/v1`);
  });

  it('cannot be reached on another interface of this machine', async () => {
    const port = Number(new URL(server.url).port);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((info) => info !== undefined && !info.internal && info.family === 'IPv4')
      .map((info) => info?.address ?? '');
    for (const host of others) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host, port });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    }
    // Loopback itself answers.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('answers GET /health with 200 ok and does not record it', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(server.requests).toHaveLength(0);
  });

  it('answers an unknown path with a 404 JSON error, records it and keeps the queue', async () => {
    server.enqueue({ text: 'still queued' });
    const response = await post('/v1/complete', {});
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error', message: expect.stringContaining('/v1/complete') },
    });
    const wrongMethod = await fetch(`${server.url}/v1/messages`);
    expect(wrongMethod.status).toBe(404);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/complete', '/v1/messages']);
    const message = await anthropicClient(server).messages.create(anthropicParams);
    expect(message.content).toMatchObject([{ text: 'still queued' }]);
  });

  it('an SDK gets a NotFoundError for a wrong base URL', async () => {
    const client = new OpenAI({ apiKey: 'sk-x', baseURL: `${server.url}/nope`, maxRetries: 0 });
    await expect(client.chat.completions.create(openaiParams)).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
  });

  for (const encoding of ['gzip', 'br'] as const) {
    it(`compresses a JSON reply with ${encoding}, decoded by plain fetch`, async () => {
      server.enqueue(
        { text: 'squeezed '.repeat(50), encoding },
        { text: 'squeezed '.repeat(50), encoding },
      );
      const response = await post('/v1/messages', anthropicParams);
      expect(response.headers.get('content-encoding')).toBe(encoding);
      const body = (await response.json()) as { content: [{ text: string }] };
      expect(body.content[0].text).toBe('squeezed '.repeat(50));
      // The bytes on the wire really are compressed: smaller than the JSON they carry.
      const raw = await rawPost('/v1/messages', anthropicParams);
      expect(raw.headers['content-encoding']).toBe(encoding);
      expect(raw.bytes.length).toBeLessThan(JSON.stringify(body).length);
      expect(raw.headers['content-length']).toBe(String(raw.bytes.length));
    });

    it(`compresses a streamed reply with ${encoding}, decoded by fetch and by both SDKs`, async () => {
      server.enqueue(
        { text: 'compressed stream of words', encoding },
        { text: 'compressed anthropic stream', encoding },
        { text: 'compressed openai stream', encoding },
      );
      const response = await post('/v1/chat/completions', { ...openaiParams, stream: true });
      expect(response.headers.get('content-encoding')).toBe(encoding);
      const frames = parseSse(await response.text());
      expect(frames.at(-1)?.data).toBe('[DONE]');
      const anthropicMessage = await anthropicClient(server)
        .messages.stream(anthropicParams)
        .finalMessage();
      expect(anthropicMessage.content).toMatchObject([{ text: 'compressed anthropic stream' }]);
      const completion = await openaiClient(server)
        .chat.completions.stream(openaiParams)
        .finalChatCompletion();
      expect(completion.choices[0]?.message.content).toBe('compressed openai stream');
    });
  }

  it('adds extra headers, overriding its own of the same name', async () => {
    server.enqueue({ headers: { 'X-Custom': 'yes', 'Request-Id': 'req_custom' } });
    const response = await post('/v1/messages', anthropicParams);
    expect(response.headers.get('x-custom')).toBe('yes');
    expect(response.headers.get('request-id')).toBe('req_custom');
  });

  it('abortAfterChunks breaks a stream and the Anthropic SDK reports an error', async () => {
    server.enqueue({ text: 'this stream will be cut short', abortAfterChunks: 3 });
    const stream = anthropicClient(server, 0).messages.stream(anthropicParams);
    const seen: string[] = [];
    stream.on('streamEvent', (event) => seen.push(event.type));
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Error);
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('abortAfterChunks breaks a stream and the OpenAI SDK iteration throws', async () => {
    server.enqueue({ text: 'this stream will be cut short', abortAfterChunks: 2 });
    const stream = await openaiClient(server, 0).chat.completions.create({
      ...openaiParams,
      stream: true,
    });
    const contents: (string | null | undefined)[] = [];
    const iterate = async () => {
      for await (const chunk of stream) contents.push(chunk.choices[0]?.delta.content);
    };
    await expect(iterate()).rejects.toBeInstanceOf(Error);
    expect(contents).toEqual(['', 'this ']);
  });

  it('abortAfterChunks 0 on a JSON reply drops the connection after the headers', async () => {
    server.enqueue({ abortAfterChunks: 0 });
    const error = await anthropicClient(server, 0)
      .messages.create(anthropicParams)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // The SDK has the 200 headers, so it does not retry; reading the body fails.
    expect(error).toBeInstanceOf(Error);
    expect(server.requests).toHaveLength(1);
  });

  it('chunkDelayMs spaces the events of a stream without changing them', async () => {
    server.enqueue({ text: 'slow but complete', chunkDelayMs: 5 });
    const message = await anthropicClient(server).messages.stream(anthropicParams).finalMessage();
    expect(message.content).toMatchObject([{ text: 'slow but complete' }]);
  });

  it('close() while a stream is open ends the stream with an error instead of hanging', async () => {
    // A long stream: 200 words, 50 ms apart, so it is still open when close() is called.
    server.enqueue({ text: 'word '.repeat(200), chunkDelayMs: 50 });
    const stream = anthropicClient(server, 0).messages.stream(anthropicParams);
    const firstText = new Promise<void>((resolve) => stream.once('text', () => resolve()));
    const outcome = stream.finalMessage().then(
      () => 'completed',
      () => 'failed',
    );
    await firstText;
    await server.close();
    expect(await outcome).toBe('failed');
  });

  it('close() while a delayed reply is pending does not hang', async () => {
    server.enqueue({ delayMs: 60_000 });
    const outcome = openaiClient(server, 0)
      .chat.completions.create(openaiParams)
      .then(
        () => 'completed',
        () => 'failed',
      );
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await server.close();
    expect(await outcome).toBe('failed');
    // close() is idempotent.
    await server.close();
  });
});
