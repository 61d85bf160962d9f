import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { Tape } from '@trace/tape';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { findDivergence, recordFetch, replayFetch } from './index.js';

// A credential-shaped value built at run time; the scripted server accepts any key.
const apiKey = ['test', 'key', Math.random().toString(36).slice(2)].join('-');

async function anthropicConversation(client: Anthropic) {
  const out: unknown[] = [];
  const first = await client.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Plan the trip' }],
  });
  out.push(first.content, first.usage.output_tokens, first.stop_reason);
  const tool = await client.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    tools: [
      {
        name: 'get_weather',
        description: 'weather',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ],
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
  });
  out.push(tool.content, tool.stop_reason);
  const stream = client.messages.stream({
    model: 'claude-test',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Stream the answer' }],
  });
  const deltas: string[] = [];
  stream.on('text', (text) => deltas.push(text));
  const final = await stream.finalMessage();
  out.push(deltas, final.content, final.usage.output_tokens);
  return out;
}

describe('with the official Anthropic SDK', () => {
  it('records calls (JSON, tool use, a streamed helper, a retried 429) and replays them with the server stopped', async () => {
    const server = await startLlmServer({
      script: [
        { text: 'Day 1: Paris.' },
        { status: 429 },
        { toolUse: { id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } } },
        { text: 'It will be sunny all week', chunkDelayMs: 5 },
      ],
    });
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const live = await anthropicConversation(
      new Anthropic({ apiKey, baseURL: server.anthropicBaseURL, fetch: recording.fetch }),
    );
    await recording.close();
    expect(server.requests).toHaveLength(4); // the 429 was retried by the SDK
    await server.close();

    expect(tape.counts.exchange).toBe(4);
    const statuses = tape.events.map((e) => (e.type === 'exchange' ? e.response?.status : null));
    expect(statuses).toEqual([200, 429, 200, 200]);
    const streamed = tape.events[3];
    expect(streamed?.type === 'exchange' && streamed.response?.body?.kind).toBe('stream');

    const replay = replayFetch({ tape });
    const replayed = await anthropicConversation(
      new Anthropic({ apiKey, baseURL: server.anthropicBaseURL, fetch: replay.fetch }),
    );
    expect(replayed).toEqual(live);
    expect(replay.report()).toMatchObject({
      recorded: 4,
      matched: 4,
      diverged: 0,
      unconsumed: [],
      fingerprintUnchanged: true,
    });
    replay.assertConsumed();
  });

  it('records the same request identically on two runs: per-attempt and per-machine headers are dropped', async () => {
    const requests: unknown[] = [];
    for (let run = 0; run < 2; run++) {
      const server = await startLlmServer();
      const tape = Tape.create();
      const recording = recordFetch({ sink: tape });
      const client = new Anthropic({
        apiKey: `${apiKey}-${run}`,
        baseURL: server.anthropicBaseURL,
        fetch: recording.fetch,
      });
      await client.messages.create({
        model: 'claude-test',
        max_tokens: 32,
        messages: [{ role: 'user', content: 'same' }],
      });
      await recording.close();
      await server.close();
      const event = tape.events[0];
      if (event?.type !== 'exchange') throw new Error('expected an exchange');
      const { method, url, headers, body } = event.request;
      requests.push({
        method,
        path: new URL(url).pathname,
        headers,
        body: new TextDecoder().decode(body as Uint8Array),
      });
    }
    expect(requests[0]).toEqual(requests[1]);
    expect((requests[0] as { headers: [string, string][] }).headers.map(([name]) => name)).toEqual([
      'accept',
      'anthropic-version',
      'content-type',
    ]);
  });

  it('a divergent prompt fails the SDK call, and findDivergence finds why inside the SDK error', async () => {
    const server = await startLlmServer();
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const recordClient = new Anthropic({
      apiKey,
      baseURL: server.anthropicBaseURL,
      fetch: recording.fetch,
    });
    await recordClient.messages.create({
      model: 'claude-test',
      max_tokens: 32,
      messages: [{ role: 'user', content: 'original prompt' }],
    });
    await recording.close();
    await server.close();

    const replay = replayFetch({ tape });
    const client = new Anthropic({ apiKey, baseURL: server.anthropicBaseURL, fetch: replay.fetch });
    const error = await client.messages
      .create({
        model: 'claude-test',
        max_tokens: 32,
        messages: [{ role: 'user', content: 'edited prompt' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIConnectionError);
    const divergence = findDivergence(error);
    expect(divergence?.details).toMatchObject({
      differences: [
        { path: 'messages[0].content', recorded: 'original prompt', live: 'edited prompt' },
      ],
    });
    expect(findDivergence(new Error('unrelated'))).toBeUndefined();
  });
});

describe('with the official OpenAI SDK', () => {
  async function conversation(client: OpenAI) {
    const out: unknown[] = [];
    const plain = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    out.push(plain.choices[0]?.message.content, plain.usage);
    const tool = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    out.push(tool.choices[0]?.message.tool_calls, tool.choices[0]?.finish_reason);
    const stream = await client.chat.completions.create({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream it' }],
    });
    const parts: string[] = [];
    for await (const chunk of stream)
      parts.push(chunk.choices[0]?.delta.content ?? `usage:${chunk.usage?.completion_tokens}`);
    out.push(parts);
    const failed = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'fail' }] })
      .catch((e: unknown) => e);
    out.push((failed as InstanceType<typeof OpenAI.APIError>).status);
    return out;
  }

  it('records JSON, tool calls, a stream and a 500 with retries exhausted, and replays them offline', async () => {
    const server = await startLlmServer({
      script: [
        { text: 'Hi!' },
        { toolUse: { id: 'call_1', name: 'get_weather', input: {} } },
        { text: 'one two three' },
        { status: 500 },
        { status: 500 },
      ],
    });
    const tape = Tape.create();
    const recording = recordFetch({ sink: tape });
    const live = await conversation(
      new OpenAI({ apiKey, baseURL: server.openaiBaseURL, fetch: recording.fetch, maxRetries: 1 }),
    );
    await recording.close();
    await server.close();
    expect(live.at(-1)).toBe(500);
    expect(tape.counts.exchange).toBe(5);

    const replay = replayFetch({ tape });
    const replayed = await conversation(
      new OpenAI({ apiKey, baseURL: server.openaiBaseURL, fetch: replay.fetch, maxRetries: 1 }),
    );
    expect(replayed).toEqual(live);
    expect(replay.report()).toMatchObject({ matched: 5, unconsumed: [] });
  });
});
