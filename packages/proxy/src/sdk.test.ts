/**
 * The official JavaScript SDKs, through their base URL, against the scripted LLM server: what a
 * recording proxy records, a replaying proxy serves with the server stopped — proven, with the
 * divergence shown to the caller when the agent changed.
 */
import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { type LlmServer, startLlmServer } from '@trace/llm-server';
import { fakeCredential, findLeak } from '@trace/test-utils';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiKey, proxyWith, storePath } from './__tests__/support.js';

/** An agent using both SDKs: Anthropic (JSON, a tool call, a stream) and OpenAI (JSON, a stream). */
async function agent(base: string, question: string) {
  const anthropic = new Anthropic({ apiKey, baseURL: `${base}/anthropic` });
  const openai = new OpenAI({ apiKey, baseURL: `${base}/openai/v1` });
  const out: unknown[] = [];
  const first = await anthropic.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    messages: [{ role: 'user', content: question }],
  });
  out.push(first.content);
  const tool = await anthropic.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }],
    messages: [{ role: 'user', content: 'Weather?' }],
  });
  out.push(tool.content, tool.stop_reason);
  const streamed = await anthropic.messages
    .stream({
      model: 'claude-test',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Stream it' }],
    })
    .finalMessage();
  out.push(streamed.content);
  const chat = await openai.chat.completions.create({
    model: 'gpt-test',
    messages: [{ role: 'user', content: 'And OpenAI?' }],
  });
  out.push(chat.choices[0]?.message.content);
  const stream = await openai.chat.completions.create({
    model: 'gpt-test',
    messages: [{ role: 'user', content: 'Stream OpenAI' }],
    stream: true,
  });
  const deltas: string[] = [];
  for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
  out.push(deltas.join(''));
  return out;
}

function upstreams(server: LlmServer) {
  return [`/anthropic=${server.anthropicBaseURL}`, `/openai=${server.url}`];
}

describe('the proxy with the official SDKs', () => {
  it('records Anthropic and OpenAI calls (a retried 429, a tool, streams), then replays them with the server stopped', async () => {
    const server = await startLlmServer({
      script: [
        { status: 429 },
        { text: 'Day 1: Paris.' },
        { toolUse: { id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } } },
        { text: 'Streamed words arrive one by one', chunkDelayMs: 2 },
        { text: 'OpenAI says hi' },
        { text: 'OpenAI streams too', chunkDelayMs: 2 },
      ],
    });
    const path = storePath();
    const recording = await proxyWith({ path, id: 'both', upstreams: upstreams(server) });
    expect(recording.proxy.run?.mode).toBe('record');
    const live = await agent(recording.proxy.url, 'Plan the trip');
    const recorded = await recording.proxy.close();
    expect(server.requests).toHaveLength(6); // the 429 was retried by the SDK
    // The agent's own key went upstream; the proxy stored none of it.
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(server.requests[4]?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(readFileSync(path).includes(apiKey)).toBe(false);
    await server.close();

    const replaying = await proxyWith({ path, id: 'both', upstreams: upstreams(server) });
    expect(replaying.proxy.run?.mode).toBe('replay');
    expect(await agent(replaying.proxy.url, 'Plan the trip')).toEqual(live);
    const report = await replaying.proxy.close();
    expect(report).toMatchObject({
      mode: 'replay',
      exchanges: { recorded: 6, matched: 6, unconsumed: [] },
      fingerprint: recorded?.fingerprint,
    });
    expect(replaying.lines).toContain(
      `[trace proxy] run both closed (replay): 6 exchanges (6 replayed), 0 draws, fingerprint ${recorded?.fingerprint?.slice(0, 12)}`,
    );
  });

  it('shows a changed prompt to the caller as the divergence, with its JSON path, and logs it', async () => {
    const server = await startLlmServer();
    const path = storePath();
    const recording = await proxyWith({
      path,
      id: 'changed',
      upstreams: [server.anthropicBaseURL],
    });
    const ask = (base: string, text: string) =>
      new Anthropic({ apiKey, baseURL: base }).messages.create({
        model: 'claude-test',
        max_tokens: 16,
        messages: [{ role: 'user', content: text }],
      });
    await ask(recording.proxy.url, 'What is the capital of France?');
    await recording.proxy.close();
    await server.close();

    const replaying = await proxyWith({
      path,
      id: 'changed',
      upstreams: [server.anthropicBaseURL],
    });
    const error = await ask(replaying.proxy.url, 'What is the capital of Spain?').catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('@trace replay diverged');
    expect((error as Error).message).toContain(
      'messages[0].content: recorded "What is the capital of France?", live "What is the capital of Spain?"',
    );
    expect(
      replaying.lines.some(
        (line) => line.includes('diverged') && line.includes('messages[0].content'),
      ),
    ).toBe(true);
    await expect(replaying.proxy.close()).rejects.toMatchObject({ code: 'TRANSPORT_DIVERGED' });
  });

  it('keeps credentials in a URL, a body or a header out of the tape, forwarding them upstream', async () => {
    const server = await startLlmServer();
    const path = storePath();
    const { proxy } = await proxyWith({
      path,
      id: 'secrets',
      upstreams: [server.anthropicBaseURL],
    });
    const token = fakeCredential('github_token');
    await fetch(`${proxy.url}/v1/messages?key=${encodeURIComponent(token.text)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'x-note': token.text },
      body: JSON.stringify({
        model: 'claude-test',
        max_tokens: 8,
        messages: [{ role: 'user', content: `my token is ${token.text}` }],
      }),
    });
    await proxy.close();
    await server.close();
    expect(server.requests[0]?.headers['x-note']).toBe(token.text);
    const file = readFileSync(path).toString('latin1');
    expect(findLeak(file, token)).toBeUndefined();
    expect(file.includes(apiKey)).toBe(false);
  });
});
