import { replay } from '@trace/nondet';
import { runAgent } from '@trace/run';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { chatAgent, recordChat } from './__tests__/chat.js';
import { rejection } from './__tests__/trip.js';
import { forkRun, verifyBranch } from './index.js';

/** The draws the parent made, as a source that serves them again (a tail that draws what it drew). */
async function parentDraws(store: Awaited<ReturnType<typeof recordChat>>['store']) {
  const parent = await store.load('chat');
  return replay(
    parent.events.flatMap((e) => (e.type === 'draw' ? [{ kind: e.kind, value: e.value }] : [])),
  );
}

describe.each([
  ['a chat completion', false],
  ['a streamed chat completion', true],
])('OpenAI framing: %s read by the official openai client', (_name, stream) => {
  it('a replaced answer at the last exchange costs no call and replays offline', async () => {
    const { server, store, packing } = await recordChat(stream);
    const before = server.requests.length;
    const { value, report, branch } = await forkRun(
      {
        store,
        parent: 'chat',
        at: { exchange: 1 },
        intervene: { kind: 'message', text: 'Pack a scarf and a book.' },
      },
      chatAgent(server.openaiBaseURL, stream),
    );
    expect(value).toEqual({ ...packing, answer: 'Pack a scarf and a book.' });
    expect(server.requests.length).toBe(before);
    expect(report.tail).toEqual({ live: 0, fromParent: 0, draws: 0 });
    if (stream) {
      // Re-framed as chunks: a role chunk, content deltas, the finish chunk, the usage chunk, [DONE].
      const exchange = (await store.load(branch.id)).events.filter((e) => e.type === 'exchange')[1];
      const body = exchange?.response?.body;
      expect(body?.kind).toBe('stream');
      const text = Buffer.concat(
        body?.kind === 'stream' ? body.chunks.map((c) => c.bytes) : [],
      ).toString();
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(text).toContain('"finish_reason":"stop"');
      expect(text).toContain('"choices":[],');
    }
    await server.close();
    const replayed = await runAgent(
      { store, id: branch.id, mode: 'replay' },
      chatAgent(server.openaiBaseURL, stream),
    );
    expect(replayed.value).toEqual(value);
  });

  it('a replaced tool call changes the city; the tail costs exactly its one call', async () => {
    const { server, store } = await recordChat(stream);
    const before = server.requests.length;
    const { value, report } = await forkRun(
      {
        store,
        parent: 'chat',
        at: { exchange: 0 },
        intervene: {
          kind: 'message',
          toolCalls: [{ name: 'get_weather', input: { city: 'Lima' } }],
        },
      },
      chatAgent(server.openaiBaseURL, stream),
    );
    expect(value.city).toBe('Lima');
    expect(value.toolCallId).toBe('call_fork_0');
    expect(value.answer).toBe(`Pack for ${value.tempC}°C in Lima.`);
    expect(server.requests.length - before).toBe(1);
    expect(
      (server.requests.at(-1)?.json as { messages?: unknown[] } | undefined)?.messages?.[2],
    ).toEqual({
      role: 'tool',
      tool_call_id: 'call_fork_0',
      content: JSON.stringify({ city: 'Lima', tempC: value.tempC }),
    });
    expect(report).toMatchObject({ prefix: { exchanges: 0, draws: 0 }, tail: { live: 1 } });
  });
});

describe('bytes and JSON interventions', () => {
  const completion = (content: string) => ({
    id: 'chatcmpl-fork',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-trace',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
  });

  it('raw bytes replace the response as they are', async () => {
    const { server, store, packing } = await recordChat(false);
    const bytes = new TextEncoder().encode(JSON.stringify(completion('From bytes.')));
    const { value, branch } = await forkRun(
      { store, parent: 'chat', at: { exchange: 1 }, intervene: { kind: 'bytes', bytes } },
      chatAgent(server.openaiBaseURL, false),
    );
    expect(value).toEqual({ ...packing, answer: 'From bytes.' });
    const served = (await store.load(branch.id)).events.filter((e) => e.type === 'exchange')[1];
    const body = served?.response?.body;
    expect(body?.kind === 'bytes' && Buffer.from(body.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(branch.intervention).toEqual({
      kind: 'bytes',
      base64: Buffer.from(bytes).toString('base64'),
    });
    expect((await verifyBranch(store, branch.id)).ok).toBe(true);
  });

  it('bytes replace a streamed response as one chunk of server-sent events', async () => {
    const { server, store, packing } = await recordChat(true);
    const chunk = {
      id: 'chatcmpl-fork',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'gpt-trace',
    };
    const sse = [
      { ...chunk, choices: [{ index: 0, delta: { role: 'assistant', content: 'Raw ' } }] },
      { ...chunk, choices: [{ index: 0, delta: { content: 'stream.' }, finish_reason: 'stop' }] },
    ]
      .map((c) => `data: ${JSON.stringify(c)}\n\n`)
      .join('');
    const { value } = await forkRun(
      {
        store,
        parent: 'chat',
        at: { exchange: 1 },
        intervene: { kind: 'bytes', bytes: `${sse}data: [DONE]\n\n` },
      },
      chatAgent(server.openaiBaseURL, true),
    );
    expect(value).toEqual({ ...packing, answer: 'Raw stream.' });
  });

  it('a JSON value replaces the response as application/json', async () => {
    const { server, store, packing } = await recordChat(false);
    const { value, branch } = await forkRun(
      {
        store,
        parent: 'chat',
        at: { exchange: 1 },
        intervene: { kind: 'json', value: completion('From JSON.') },
      },
      chatAgent(server.openaiBaseURL, false),
    );
    expect(value).toEqual({ ...packing, answer: 'From JSON.' });
    const served = (await store.load(branch.id)).events.filter((e) => e.type === 'exchange')[1];
    expect(
      served?.response?.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1],
    ).toBe('application/json');
  });

  it('a JSON error with its status fails the agent as the API would; the branch keeps the failure', async () => {
    const { server, store } = await recordChat(false);
    const agent = chatAgent(server.openaiBaseURL, false);
    const error = await rejection(
      forkRun(
        {
          store,
          parent: 'chat',
          id: 'chat.overloaded',
          at: { exchange: 1 },
          intervene: {
            kind: 'json',
            status: 503,
            value: { error: { message: 'Overloaded in a fork.', type: 'server_error' } },
          },
        },
        agent,
      ),
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as Error).message).toContain('Overloaded in a fork.');
    expect((await verifyBranch(store, 'chat.overloaded')).ok).toBe(true);
    await server.close();
    const replayed = await rejection(
      runAgent({ store, id: 'chat.overloaded', mode: 'replay' }, agent),
    );
    expect((replayed as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
  });
});

describe('hybrid tail', () => {
  it('a tail request that is the parent’s own is served from the parent; another goes to the tail', async () => {
    const { server, store, packing } = await recordChat(false);
    const agent = chatAgent(server.openaiBaseURL, false);
    const same = {
      kind: 'message' as const,
      toolCalls: [{ id: packing.toolCallId, name: 'get_weather', input: { city: packing.city } }],
    };
    const before = server.requests.length;

    const hybrid = await forkRun(
      {
        store,
        parent: 'chat',
        at: { exchange: 0 },
        intervene: same,
        tail: { draws: await parentDraws(store), hybrid: true },
      },
      agent,
    );
    expect(hybrid.value).toEqual(packing);
    expect(hybrid.report.tail).toEqual({ live: 0, fromParent: 1, draws: 1 });
    expect(server.requests.length).toBe(before);

    // The same fork without hybrid sends that request to the tail.
    const plain = await forkRun(
      {
        store,
        parent: 'chat',
        at: { exchange: 0 },
        intervene: same,
        tail: { draws: await parentDraws(store) },
      },
      agent,
    );
    expect(plain.value).toEqual(packing);
    expect(plain.report.tail).toEqual({ live: 1, fromParent: 0, draws: 1 });
    expect(server.requests.length).toBe(before + 1);

    // A request the parent did not make goes to the tail even with hybrid.
    const other = await forkRun(
      {
        store,
        parent: 'chat',
        at: { exchange: 0 },
        intervene: {
          kind: 'message',
          toolCalls: [{ name: 'get_weather', input: { city: 'Cairo' } }],
        },
        tail: { draws: await parentDraws(store), hybrid: true },
      },
      agent,
    );
    expect(other.value.answer).toBe(`Pack for ${packing.tempC}°C in Cairo.`);
    expect(other.report.tail).toEqual({ live: 1, fromParent: 0, draws: 1 });
    expect(server.requests.length).toBe(before + 2);
    // Each branch replays offline on its own.
    await server.close();
    for (const run of [hybrid, plain, other]) {
      const replayed = await runAgent({ store, id: run.branch.id, mode: 'replay' }, agent);
      expect(replayed.value).toEqual(run.value);
    }
  });
});
