import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ANTHROPIC_MODEL,
  anthropicClient,
  OPENAI_MODEL,
  openaiClient,
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

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('HTTP errors and SDK retries', () => {
  it('Anthropic: a 429 is retried by the SDK and the retry succeeds', async () => {
    server.enqueue({ status: 429 }, { text: 'after the limit' });
    const message = await anthropicClient(server).messages.create(anthropicParams);
    expect(message.content).toMatchObject([{ type: 'text', text: 'after the limit' }]);
    expect(server.requests).toHaveLength(2);
    // The retry is a new request: it gets its own index and ids.
    expect(message.id).toBe('msg_0002');
    expect(server.requests[1]?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('OpenAI: a 429 is retried by the SDK and the retry succeeds', async () => {
    server.enqueue({ status: 429 }, { text: 'after the limit' });
    const completion = await openaiClient(server).chat.completions.create(openaiParams);
    expect(completion.choices[0]?.message.content).toBe('after the limit');
    expect(server.requests).toHaveLength(2);
  });

  it('Anthropic: a streamed call is retried after a 529 too', async () => {
    server.enqueue({ status: 529 }, { text: 'streamed after overload' });
    const message = await anthropicClient(server).messages.stream(anthropicParams).finalMessage();
    expect(message.content).toMatchObject([{ type: 'text', text: 'streamed after overload' }]);
    expect(server.requests).toHaveLength(2);
  });

  it('Anthropic: 500 until retries run out surfaces an InternalServerError with the body', async () => {
    server.enqueue({ status: 500 }, { status: 500 }, { status: 500 });
    const error = await rejection(anthropicClient(server, 2).messages.create(anthropicParams));
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(500);
    expect(apiError.requestID).toBe('req_0003');
    expect(apiError.error).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('500') },
    });
    expect(server.requests).toHaveLength(3);
  });

  it('OpenAI: 500 until retries run out surfaces an InternalServerError with the body', async () => {
    server.enqueue({ status: 500 }, { status: 500 });
    const error = await rejection(openaiClient(server, 1).chat.completions.create(openaiParams));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(500);
    expect(apiError.requestID).toBe('req_0002');
    expect(apiError.type).toBe('server_error');
    expect(server.requests).toHaveLength(2);
  });

  it('maps statuses to each API error type, with retry headers', async () => {
    const cases: [number, string, string][] = [
      [400, 'invalid_request_error', 'invalid_request_error'],
      [401, 'authentication_error', 'invalid_request_error'],
      [404, 'not_found_error', 'invalid_request_error'],
      [429, 'rate_limit_error', 'requests'],
      [503, 'api_error', 'server_error'],
      [529, 'overloaded_error', 'server_error'],
    ];
    for (const [status, anthropicType, openaiType] of cases) {
      server.enqueue({ status }, { status });
      const a = await fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify(anthropicParams),
      });
      const o = await fetch(`${server.openaiBaseURL}/chat/completions`, {
        method: 'POST',
        body: JSON.stringify(openaiParams),
      });
      expect([a.status, o.status]).toEqual([status, status]);
      expect(a.headers.get('retry-after')).toBe('0');
      expect(a.headers.get('retry-after-ms')).toBe('1');
      expect(a.headers.get('request-id')).toMatch(/^req_\d{4}$/);
      expect(o.headers.get('x-request-id')).toMatch(/^req_\d{4}$/);
      const aBody = await a.json();
      const oBody = (await o.json()) as { error: { message: unknown } };
      expect(aBody).toMatchObject({ type: 'error', error: { type: anthropicType } });
      expect(oBody).toMatchObject({ error: { type: openaiType, param: null } });
      expect(typeof oBody.error.message).toBe('string');
    }
  });

  it('x-should-retry: false on a scripted 500 stops both SDKs from retrying', async () => {
    const noRetry = { status: 500, headers: { 'x-should-retry': 'false' } };
    server.enqueue(noRetry, noRetry);
    await expect(anthropicClient(server).messages.create(anthropicParams)).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
    await expect(openaiClient(server).chat.completions.create(openaiParams)).rejects.toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    expect(server.requests).toHaveLength(2);
  });

  it('a 400 from a non-retryable status is thrown at once with its class', async () => {
    server.enqueue({ status: 400 });
    const error = await rejection(anthropicClient(server).messages.create(anthropicParams));
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(server.requests).toHaveLength(1);
  });

  it('a body that is not JSON gets a 400 and consumes no step', async () => {
    server.enqueue({ text: 'kept for the next request' });
    const bad = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const message = await anthropicClient(server).messages.create(anthropicParams);
    expect(message.content).toMatchObject([{ text: 'kept for the next request' }]);
    expect(server.requests[0]?.json).toBeUndefined();
    expect(server.requests[0]?.body).toBe('{nope');
  });

  it('a respond callback that throws becomes a 500 naming the cause', async () => {
    await server.close();
    server = await startLlmServer({
      respond: () => {
        throw new Error('script ran dry');
      },
    });
    const error = await rejection(openaiClient(server, 0).chat.completions.create(openaiParams));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain('script ran dry');
  });

  it('a respond callback returning an invalid step becomes a 500 naming the field', async () => {
    await server.close();
    server = await startLlmServer({ respond: () => ({ status: 200 }) });
    const error = await rejection(anthropicClient(server, 0).messages.create(anthropicParams));
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as Error).message).toContain('status');
  });
});
