/**
 * Both official SDKs, recorded through `runAgent` against the scripted server and replayed with
 * the server closed: JSON and streamed calls, a tool call answered by a second request carrying
 * its result, and a 429 the SDK retried (at its default `maxRetries`), which replay serves again
 * so the SDK retries exactly as it did.
 */
import { readFileSync } from 'node:fs';
import type Anthropic from '@anthropic-ai/sdk';
import type { LlmServer } from '@trace/llm-server';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  anthropicKey,
  clients,
  counting,
  loadTape,
  openaiKey,
  startServer,
  storePath,
} from './__tests__/harness.js';
import { type AgentContext, runAgent } from './index.js';

type Urls = Pick<LlmServer, 'anthropicBaseURL' | 'openaiBaseURL'>;

const weatherTool = {
  name: 'get_weather',
  description: 'The forecast for a city.',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

/** Plans (a 429 first, retried by the SDK), asks for the weather through a tool, then streams. */
async function anthropicAgent(context: AgentContext, urls: Urls, attempts: typeof fetch) {
  const client = clients(urls, attempts).anthropic;
  const userId = context.source.uuidV4();
  const plan = await client.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    metadata: { user_id: userId },
    messages: [{ role: 'user', content: 'Plan a day in Paris' }],
  });
  const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Paris?' };
  const toolTurn = await client.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    tools: [weatherTool],
    messages: [question],
  });
  const toolUse = toolTurn.content.find((block) => block.type === 'tool_use');
  if (toolUse === undefined) throw new Error('expected a tool call');
  // The tool's answer carries a draw, so replay only matches if the draw is served back.
  const forecast = {
    city: (toolUse.input as { city: string }).city,
    uv: context.source.int(1, 11),
  };
  const answer = await client.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    tools: [weatherTool],
    messages: [
      question,
      { role: 'assistant', content: toolTurn.content },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: toolUse.id, content: JSON.stringify(forecast) },
        ],
      },
    ],
  });
  const stream = client.messages.stream({
    model: 'claude-test',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Summarise the day' }],
  });
  const deltas: string[] = [];
  stream.on('text', (text) => deltas.push(text));
  const summary = await stream.finalMessage();
  return {
    userId,
    plan: plan.content,
    toolUse,
    forecast,
    answer: answer.content,
    deltas,
    summary: summary.content,
    usage: summary.usage,
  };
}

/** Asks for the weather through a tool, answers it, then streams (a 429 first, retried). */
async function openaiAgent(context: AgentContext, urls: Urls, attempts: typeof fetch) {
  const client = clients(urls, attempts).openai;
  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: weatherTool.name,
        description: weatherTool.description,
        parameters: weatherTool.input_schema,
      },
    },
  ];
  const question: OpenAI.ChatCompletionMessageParam = {
    role: 'user',
    content: 'Weather in Paris?',
  };
  const toolTurn = await client.chat.completions.create({
    model: 'gpt-test',
    user: context.source.uuidV4(),
    tools,
    messages: [question],
  });
  const call = toolTurn.choices[0]?.message.tool_calls?.[0];
  if (call?.type !== 'function') throw new Error('expected a function call');
  const forecast = {
    city: (JSON.parse(call.function.arguments) as { city: string }).city,
    uv: context.source.int(1, 11),
  };
  const answer = await client.chat.completions.create({
    model: 'gpt-test',
    tools,
    messages: [
      question,
      toolTurn.choices[0]!.message,
      { role: 'tool', tool_call_id: call.id, content: JSON.stringify(forecast) },
    ],
  });
  const stream = await client.chat.completions.create({
    model: 'gpt-test',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Summarise the day' }],
  });
  const deltas: string[] = [];
  let usage: unknown;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta.content;
    if (delta) deltas.push(delta);
    if (chunk.usage) usage = chunk.usage;
  }
  return {
    toolTurn: toolTurn.choices[0]?.message,
    forecast,
    answer: answer.choices[0]?.message,
    deltas,
    usage,
  };
}

/** Runs an SDK agent through a fetch that counts its attempts (retries included) and statuses. */
function attempted<T>(
  agent: (context: AgentContext, urls: Urls, fetch: typeof globalThis.fetch) => Promise<T>,
  urls: Urls,
) {
  return async (context: AgentContext) => {
    const attempts = counting(context.fetch);
    const value = await agent(context, urls, attempts.fetch);
    return { value, attempts: attempts.calls, statuses: [...attempts.statuses] };
  };
}

/** A replay that served every recorded exchange and draw, under the recording's fingerprint. */
function fullReplay(id: string, exchanges: number, draws: number, fingerprint: string | undefined) {
  return {
    id,
    mode: 'replay',
    exchanges: { recorded: exchanges, matched: exchanges, unconsumed: [] },
    draws: { recorded: draws, consumed: draws, unconsumed: 0 },
    annotations: 0,
    fingerprint,
    complete: true,
    divergence: undefined,
  };
}

describe('runAgent with the official SDKs: record, then replay with the server closed', () => {
  it('Anthropic: messages.create, a tool round trip, a retried 429 and messages.stream', async () => {
    const server = await startServer([
      { status: 429 },
      { text: 'Morning at the Louvre, evening on the Seine.' },
      { toolUse: { id: 'toolu_weather', name: 'get_weather', input: { city: 'Paris' } } },
      { text: 'Sunny in Paris: pack light.' },
      { text: 'A sunny day of art and walks.', chunkDelayMs: 1 },
    ]);
    const options = { path: storePath(), id: 'anthropic-trip', env: {} };
    const agent = attempted(anthropicAgent, server);

    const recorded = await runAgent(options, agent);
    // The SDK met the 429 and retried once by itself: five attempts, all at the server.
    expect(recorded.value.attempts).toBe(5);
    expect(recorded.value.statuses).toEqual([429, 200, 200, 200, 200]);
    expect(server.requests).toHaveLength(5);
    expect(server.requests[1]?.body).toBe(server.requests[0]?.body);
    // The tool's result went back in a second request.
    expect(server.requests[3]?.json).toMatchObject({
      messages: [
        {},
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_weather' }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_weather' }] },
      ],
    });
    expect(recorded.value.value.deltas.join('')).toBe('A sunny day of art and walks.');
    expect(recorded.report).toMatchObject({
      mode: 'record',
      exchanges: { recorded: 5 },
      draws: { recorded: 2 },
      complete: true,
      divergence: undefined,
    });
    const tape = loadTape(options.path, options.id);
    expect(tape.fingerprint).toBe(recorded.report.fingerprint);
    // The API key the SDK sent never reached the file.
    expect(readFileSync(options.path).includes(anthropicKey)).toBe(false);
    expect(tape.events.flatMap((e) => (e.type === 'exchange' ? [e.response?.status] : []))).toEqual(
      [429, 200, 200, 200, 200],
    );

    await server.close();
    const replayed = await runAgent(options, agent);
    expect(replayed.value).toEqual(recorded.value);
    expect(replayed.report).toEqual(fullReplay(options.id, 5, 2, recorded.report.fingerprint));
  });

  it('OpenAI: chat.completions.create with and without stream, a tool round trip, a retried 429', async () => {
    const server = await startServer([
      { toolUse: { id: 'call_weather', name: 'get_weather', input: { city: 'Paris' } } },
      { text: 'Sunny in Paris: pack light.' },
      { status: 429 },
      { text: 'A sunny day of art and walks.', chunkDelayMs: 1 },
    ]);
    const options = { path: storePath(), id: 'openai-trip', env: {} };
    const agent = attempted(openaiAgent, server);

    const recorded = await runAgent(options, agent);
    expect(recorded.value.attempts).toBe(4);
    expect(recorded.value.statuses).toEqual([200, 200, 429, 200]);
    expect(server.requests).toHaveLength(4);
    expect(server.requests[3]?.body).toBe(server.requests[2]?.body);
    expect(server.requests[1]?.json).toMatchObject({
      messages: [
        {},
        { role: 'assistant', tool_calls: [{ id: 'call_weather' }] },
        { role: 'tool', tool_call_id: 'call_weather' },
      ],
    });
    expect(recorded.value.value.deltas.join('')).toBe('A sunny day of art and walks.');
    expect(recorded.value.value.usage).toMatchObject({ completion_tokens: expect.any(Number) });
    expect(readFileSync(options.path).includes(openaiKey)).toBe(false);
    expect(recorded.report).toMatchObject({
      mode: 'record',
      exchanges: { recorded: 4 },
      draws: { recorded: 2 },
      complete: true,
    });

    await server.close();
    const replayed = await runAgent(options, agent);
    expect(replayed.value).toEqual(recorded.value);
    expect(replayed.report).toEqual(fullReplay(options.id, 4, 2, recorded.report.fingerprint));
  });
});
