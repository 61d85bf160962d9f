/**
 * A small OpenAI Chat Completions agent (the official `openai` client): it asks for the weather
 * tool, reads a temperature from its source, and asks for the answer — streamed or not —
 * against the scripted server answering as the example's `respondOpenAI` does.
 */
import { join } from 'node:path';
import { type LlmServer, startLlmServer } from '@trace/llm-server';
import { type AgentContext, runAgent } from '@trace/run';
import { openSqliteStore, type SqliteTapeStore } from '@trace/store-sqlite';
import { fakeCredential } from '@trace/test-utils';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { onTestFinished } from 'vitest';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { respond } from '../../../../examples/agent/src/world.mjs';
import { tempDir } from './trip.js';

export interface Packing {
  readonly city: string;
  readonly tempC: number;
  readonly toolCallId: string;
  readonly answer: string | null;
}

const apiKey = fakeCredential('openai_project_key').text;
const TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

/** Two calls: the tool call, then the answer after the tool's result. */
export function chatAgent(baseURL: string, stream: boolean) {
  return async (ctx: AgentContext): Promise<Packing> => {
    const client = new OpenAI({ apiKey, baseURL, fetch: ctx.fetch, maxRetries: 0 });
    const ask = async (messages: ChatCompletionMessageParam[]): Promise<ChatCompletion> => {
      const params = { model: 'gpt-trace', messages, tools: [TOOL] };
      return stream
        ? client.chat.completions
            .stream({ ...params, stream_options: { include_usage: true } })
            .finalChatCompletion()
        : client.chat.completions.create(params);
    };
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'What do I pack in Oslo?' },
    ];
    const first = await ask(messages);
    const call = first.choices[0]?.message.tool_calls?.[0];
    if (call === undefined || call.type !== 'function') throw new Error('no tool call');
    const city = (JSON.parse(call.function.arguments) as { city: string }).city;
    const tempC = ctx.source.int(-5, 30);
    const second = await ask([
      ...messages,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: call.id,
            type: 'function',
            function: { name: call.function.name, arguments: call.function.arguments },
          },
        ],
      },
      { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ city, tempC }) },
    ]);
    return { city, tempC, toolCallId: call.id, answer: second.choices[0]?.message.content ?? null };
  };
}

export interface RecordedChat {
  readonly server: LlmServer;
  readonly store: SqliteTapeStore;
  readonly packing: Packing;
}

/** Records the parent `chat` (2 exchanges, streamed or not, one draw) into a fresh store. */
export async function recordChat(stream: boolean): Promise<RecordedChat> {
  const server = await startLlmServer({ respond });
  onTestFinished(() => server.close());
  const path = join(tempDir(), 'chat.tape.db');
  const { value } = await runAgent(
    { path, id: 'chat', mode: 'record' },
    chatAgent(server.openaiBaseURL, stream),
  );
  const store = openSqliteStore(path);
  onTestFinished(() => store.close());
  return { server, store, packing: value };
}
