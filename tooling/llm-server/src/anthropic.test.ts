import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANTHROPIC_MODEL, anthropicClient, parseSse } from './__tests__/test-support.js';
import { startLlmServer } from './server.js';
import type { LlmServer } from './types.js';

let server: LlmServer;
beforeEach(async () => {
  server = await startLlmServer();
});
afterEach(async () => {
  await server.close();
});

const user = (content: string) => ({
  model: ANTHROPIC_MODEL,
  max_tokens: 100,
  messages: [{ role: 'user' as const, content }],
});

describe('Anthropic Messages API with @anthropic-ai/sdk', () => {
  it('answers a non-streamed request with the default echo and deterministic fields', async () => {
    const client = anthropicClient(server);
    const message = await client.messages.create(user('hello there'));
    expect(message).toMatchObject({
      id: 'msg_0001',
      type: 'message',
      role: 'assistant',
      model: ANTHROPIC_MODEL,
      content: [{ type: 'text', text: 'echo: hello there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      // 'hello there' is 11 characters: 3 tokens; 'echo: hello there' is 17: 5 tokens.
      usage: { input_tokens: 3, output_tokens: 5 },
    });
    expect(message._request_id).toBe('req_0001');
    expect(server.requests).toHaveLength(1);
    const [received] = server.requests;
    expect(received?.method).toBe('POST');
    expect(received?.path).toBe('/v1/messages');
    expect(received?.headers['anthropic-version']).toBeTypeOf('string');
    expect(received?.json).toMatchObject({ model: ANTHROPIC_MODEL, max_tokens: 100 });
  });

  it('echoes the last user message when it is made of content blocks', async () => {
    const client = anthropicClient(server);
    const message = await client.messages.create({
      model: ANTHROPIC_MODEL,
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'second' }] },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'echo: second', citations: null }]);
  });

  it('streams with messages.stream(): text events, finalMessage and usage', async () => {
    server.enqueue({ text: 'The quick brown fox.' });
    const client = anthropicClient(server);
    const stream = client.messages.stream(user('go'));
    const pieces: string[] = [];
    stream.on('text', (delta) => pieces.push(delta));
    const message = await stream.finalMessage();
    expect(pieces).toEqual(['The ', 'quick ', 'brown ', 'fox.']);
    expect(message).toMatchObject({
      id: 'msg_0001',
      model: ANTHROPIC_MODEL,
      content: [{ type: 'text', text: 'The quick brown fox.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 1, output_tokens: 5 },
    });
  });

  it('streams with create({ stream: true }) in the documented event order', async () => {
    server.enqueue({ text: 'a b' });
    const client = anthropicClient(server);
    const stream = await client.messages.create({ ...user('go'), stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('names every SSE event after the type in its data', async () => {
    server.enqueue({ text: 'x y', toolUse: { name: 't', input: { a: 1 } } });
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ ...user('go'), stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('request-id')).toBe('req_0001');
    const frames = parseSse(await response.text());
    for (const frame of frames) expect(JSON.parse(frame.data).type).toBe(frame.event);
    const last = frames.at(-2);
    expect(JSON.parse(last?.data ?? '')).toMatchObject({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: expect.any(Number) },
    });
  });

  it('replies with a tool_use block, unstreamed and streamed', async () => {
    const input = { city: 'Zürich', days: 3, nested: { list: [1, 2, 3], emoji: '🌦' } };
    server.enqueue(
      { toolUse: { name: 'get_weather', input } },
      { text: 'Let me check.', toolUse: { id: 'toolu_custom', name: 'get_weather', input } },
    );
    const client = anthropicClient(server);
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
      },
    ];
    const plain = await client.messages.create({ ...user('weather?'), tools });
    expect(plain.stop_reason).toBe('tool_use');
    expect(plain.content).toEqual([
      {
        type: 'tool_use',
        id: 'toolu_0001',
        name: 'get_weather',
        input,
        caller: { type: 'direct' },
      },
    ]);

    const streamed = await client.messages.stream({ ...user('weather?'), tools }).finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content[0]).toMatchObject({ type: 'text', text: 'Let me check.' });
    expect(streamed.content[1]).toMatchObject({
      type: 'tool_use',
      id: 'toolu_custom',
      name: 'get_weather',
      input,
    });
  });

  it('answers a tool_result turn with the echo of the result text', async () => {
    const client = anthropicClient(server);
    const message = await client.messages.create({
      model: ANTHROPIC_MODEL,
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'w', input: {} }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }],
        },
      ],
    });
    expect(message.content).toMatchObject([{ type: 'text', text: 'echo: sunny' }]);
  });
});
