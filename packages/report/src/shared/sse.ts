/**
 * Streamed responses read back: the server-sent events of a recorded stream, and the one message
 * they add up to — what the SDK's stream helper would have returned — for Anthropic Messages and
 * OpenAI Chat Completions streams.
 */

// The one parser of the toolkit, from its Node-free entry: this module is bundled into the page.
import { parseSse, type SseEvent } from '@trace/spec/sse';
import type { Json } from './report-data.js';

export { parseSse, type SseEvent };

/** `data` as JSON, or undefined when it is not (`[DONE]`, a comment-like payload). */
export function dataJson(event: SseEvent): Json | undefined {
  try {
    return JSON.parse(event.data) as Json;
  } catch {
    return undefined;
  }
}

type Obj = { [key: string]: Json };

/** `list[index]`, made by `make` and put there first when it is empty. */
function slot<T>(list: T[], index: number, make: () => T): T {
  let item = list[index];
  if (item === undefined) {
    item = make();
    list[index] = item;
  }
  return item;
}
const isObj = (value: Json | undefined): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The message an Anthropic Messages stream adds up to: `message_start`'s message with each content
 * block built from its start and deltas (text appended; tool input JSON parsed from its pieces,
 * kept as text when it does not parse), and `message_delta`'s stop reason and usage. Undefined when
 * the events are not such a stream.
 */
export function reassembleAnthropic(events: readonly SseEvent[]): Obj | undefined {
  let message: Obj | undefined;
  const blocks: Obj[] = [];
  const partialJson = new Map<number, string>();
  for (const event of events) {
    const data = dataJson(event);
    if (!isObj(data)) continue;
    const type = data.type;
    if (type === 'message_start' && isObj(data.message)) {
      message = { ...data.message };
    } else if (type === 'content_block_start' && isObj(data.content_block)) {
      blocks[Number(data.index)] = { ...data.content_block };
    } else if (type === 'content_block_delta' && isObj(data.delta)) {
      const index = Number(data.index);
      const block = slot(blocks, index, () => ({ type: 'text', text: '' }));
      const delta = data.delta;
      if (delta.type === 'text_delta')
        block.text = `${String(block.text ?? '')}${String(delta.text ?? '')}`;
      else if (delta.type === 'thinking_delta')
        block.thinking = `${String(block.thinking ?? '')}${String(delta.thinking ?? '')}`;
      else if (delta.type === 'input_json_delta')
        partialJson.set(
          index,
          `${partialJson.get(index) ?? ''}${String(delta.partial_json ?? '')}`,
        );
    } else if (type === 'message_delta' && message !== undefined) {
      if (isObj(data.delta)) Object.assign(message, data.delta);
      if (isObj(data.usage))
        message.usage = { ...(isObj(message.usage) ? message.usage : {}), ...data.usage };
    }
  }
  if (message === undefined) return undefined;
  for (const [index, text] of partialJson) {
    const block = blocks[index];
    if (block === undefined) continue;
    try {
      block.input = text === '' ? {} : (JSON.parse(text) as Json);
    } catch {
      block.input = text;
    }
  }
  message.content = blocks.filter((block) => block !== undefined);
  return message;
}

/**
 * The `chat.completion` an OpenAI Chat Completions stream adds up to: each choice's role, content
 * and tool calls (arguments concatenated, as the API sends them: a JSON string) from its deltas,
 * its finish reason, and the usage chunk when the stream had one. Undefined when the events are not
 * such a stream.
 */
export function reassembleOpenAI(events: readonly SseEvent[]): Obj | undefined {
  let head: Obj | undefined;
  let usage: Json | undefined;
  const choices: { message: Obj; finish_reason: Json; tools: Obj[] }[] = [];
  for (const event of events) {
    const data = dataJson(event);
    if (!isObj(data) || data.object !== 'chat.completion.chunk') continue;
    head ??= {
      id: data.id ?? null,
      object: 'chat.completion',
      created: data.created ?? null,
      model: data.model ?? null,
    };
    if (isObj(data.usage)) usage = data.usage;
    if (!Array.isArray(data.choices)) continue;
    for (const choice of data.choices as Json[]) {
      if (!isObj(choice)) continue;
      const index = Number(choice.index ?? 0);
      const into = slot(choices, index, () => ({
        message: { role: 'assistant', content: null },
        finish_reason: null,
        tools: [],
      }));
      if (choice.finish_reason !== undefined && choice.finish_reason !== null)
        into.finish_reason = choice.finish_reason;
      const delta = choice.delta;
      if (!isObj(delta)) continue;
      if (typeof delta.role === 'string') into.message.role = delta.role;
      if (typeof delta.content === 'string')
        into.message.content = `${typeof into.message.content === 'string' ? into.message.content : ''}${delta.content}`;
      if (Array.isArray(delta.tool_calls)) {
        for (const call of delta.tool_calls as Json[]) {
          if (!isObj(call)) continue;
          const at = Number(call.index ?? 0);
          const tool = slot(into.tools, at, () => ({
            id: null,
            type: 'function',
            function: { name: '', arguments: '' },
          }));
          if (typeof call.id === 'string') tool.id = call.id;
          const fn = call.function;
          const mine = tool.function as Obj;
          if (isObj(fn)) {
            if (typeof fn.name === 'string') mine.name = `${String(mine.name)}${fn.name}`;
            if (typeof fn.arguments === 'string')
              mine.arguments = `${String(mine.arguments)}${fn.arguments}`;
          }
        }
      }
    }
  }
  if (head === undefined) return undefined;
  const out: Obj = {
    ...head,
    choices: choices
      .map((choice, index) => ({ choice, index }))
      .filter(({ choice }) => choice !== undefined)
      .map(({ choice, index }) => ({
        index,
        message:
          choice.tools.length > 0
            ? { ...choice.message, tool_calls: choice.tools.filter(Boolean) }
            : choice.message,
        finish_reason: choice.finish_reason,
      })),
  };
  if (usage !== undefined) out.usage = usage;
  return out;
}

/** The message a stream adds up to, whichever provider's it is; undefined for another kind of stream. */
export function reassembleStream(text: string): Obj | undefined {
  const events = parseSse(text);
  if (events.length === 0) return undefined;
  return reassembleAnthropic(events) ?? reassembleOpenAI(events);
}
