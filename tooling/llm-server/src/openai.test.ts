import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OPENAI_MODEL, openaiClient, parseSse } from './__tests__/test-support.js';
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
  model: OPENAI_MODEL,
  messages: [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content },
  ],
});

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'lookup',
      description: 'Look a term up',
      parameters: { type: 'object', properties: { term: { type: 'string' } } },
    },
  },
];

describe('OpenAI Chat Completions API with openai', () => {
  it('answers a non-streamed request with the default echo and deterministic fields', async () => {
    const client = openaiClient(server);
    const completion = await client.chat.completions.create(user('hello there'));
    expect(completion).toMatchObject({
      id: 'chatcmpl-0001',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: OPENAI_MODEL,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'echo: hello there' },
          finish_reason: 'stop',
        },
      ],
      // 'You are terse.\nhello there' is 26 characters: 7 tokens; the reply is 17: 5 tokens.
      usage: { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 },
    });
    expect(completion._request_id).toBe('req_0001');
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
    // The client's own key reached the server, as a bearer token.
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${client.apiKey}`);
  });

  it('streams with stream: true, per-word deltas, a usage chunk and [DONE]', async () => {
    server.enqueue({ text: 'one two three' });
    const client = openaiClient(server);
    const stream = await client.chat.completions.create({
      ...user('go'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const contents: string[] = [];
    const finishes: (string | null)[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.id).toBe('chatcmpl-0001');
      const choice = chunk.choices[0];
      if (choice?.delta.content) contents.push(choice.delta.content);
      if (choice) finishes.push(choice.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(contents).toEqual(['one ', 'two ', 'three']);
    expect(finishes.at(-1)).toBe('stop');
    expect(finishes.slice(0, -1).every((f) => f === null)).toBe(true);
    // 'You are terse.\ngo' is 17 characters: 5 tokens; 'one two three' is 13: 4 tokens.
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
  });

  it('sends usage only when stream_options.include_usage asks for it, then [DONE]', async () => {
    server.enqueue({ text: 'a b' }, { text: 'a b' });
    const post = (body: unknown) =>
      fetch(`${server.openaiBaseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.text());
    const without = parseSse(await post({ ...user('x'), stream: true }));
    const withUsage = parseSse(
      await post({ ...user('x'), stream: true, stream_options: { include_usage: true } }),
    );
    expect(without.at(-1)).toEqual({ event: null, data: '[DONE]' });
    expect(withUsage.at(-1)).toEqual({ event: null, data: '[DONE]' });
    expect(without.slice(0, -1).every((f) => !('usage' in JSON.parse(f.data)))).toBe(true);
    const chunks = withUsage.slice(0, -1).map((f) => JSON.parse(f.data));
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 1 } });
    expect(withUsage.length).toBe(without.length + 1);
  });

  it('streams with the chat.completions.stream() helper and finalChatCompletion()', async () => {
    server.enqueue({ text: 'Helper text here.' });
    const client = openaiClient(server);
    const stream = client.chat.completions.stream(user('go'));
    const deltas: string[] = [];
    stream.on('content', (delta) => deltas.push(delta));
    const completion = await stream.finalChatCompletion();
    expect(deltas.join('')).toBe('Helper text here.');
    expect(deltas.length).toBeGreaterThan(1);
    expect(completion.choices[0]?.message.content).toBe('Helper text here.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.id).toBe('chatcmpl-0001');
  });

  it('replies with tool_calls, unstreamed and streamed', async () => {
    const input = { term: 'ünïcödé', limit: 5, filters: { tags: ['a', 'b'], emoji: '🦊' } };
    server.enqueue(
      { toolUse: { name: 'lookup', input } },
      { toolUse: { id: 'call_custom', name: 'lookup', input } },
    );
    const client = openaiClient(server);
    const plain = await client.chat.completions.create({ ...user('look it up'), tools });
    const choice = plain.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toEqual([
      {
        id: 'call_0001',
        type: 'function',
        function: { name: 'lookup', arguments: JSON.stringify(input) },
      },
    ]);

    const streamed = await client.chat.completions
      .stream({ ...user('look it up'), tools })
      .finalChatCompletion();
    const call = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamed.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: 'call_custom', type: 'function' });
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(input);
  });

  it('echoes the last user message given as content parts', async () => {
    const client = openaiClient(server);
    const completion = await client.chat.completions.create({
      model: OPENAI_MODEL,
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'second' }] },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: second');
  });
});
