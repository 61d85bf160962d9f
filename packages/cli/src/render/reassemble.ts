/**
 * A streamed response put back together into the message the official SDK would have built from
 * it: Anthropic Messages (`stream.finalMessage()`) and OpenAI Chat Completions
 * (`stream.finalChatCompletion()`). Anything else is left as text.
 */
import { parseSse } from './sse.js';

export type Reassembled =
  | { readonly provider: 'anthropic'; readonly message: Record<string, unknown> }
  | { readonly provider: 'openai'; readonly message: Record<string, unknown> };

type Json = Record<string, unknown>;

/** The message a stream's text reassembles to, or undefined when it is not a known SSE format. */
export function reassemble(text: string): Reassembled | undefined {
  const events = parseSse(text);
  const datas: Json[] = [];
  for (const event of events) {
    if (event.data === '[DONE]') continue;
    try {
      const data: unknown = JSON.parse(event.data);
      if (typeof data === 'object' && data !== null && !Array.isArray(data))
        datas.push(data as Json);
    } catch {
      // A stream cut mid-event leaves a partial last line: what came before still reassembles.
    }
  }
  const first = datas[0];
  if (first?.type === 'message_start') return { provider: 'anthropic', message: anthropic(datas) };
  if (first?.object === 'chat.completion.chunk')
    return { provider: 'openai', message: openai(datas) };
  return undefined;
}

function anthropic(events: readonly Json[]): Json {
  let message: Json = {};
  const content: Json[] = [];
  const partialJson = new Map<number, string>();
  for (const event of events) {
    const index = typeof event.index === 'number' ? event.index : -1;
    switch (event.type) {
      case 'message_start':
        message = { ...(event.message as Json) };
        break;
      case 'content_block_start':
        content[index] = { ...(event.content_block as Json) };
        break;
      case 'content_block_delta': {
        const block = content[index];
        const delta = event.delta as Json;
        if (block === undefined || delta === undefined) break;
        if (delta.type === 'text_delta') block.text = `${block.text ?? ''}${delta.text}`;
        else if (delta.type === 'thinking_delta')
          block.thinking = `${block.thinking ?? ''}${delta.thinking}`;
        else if (delta.type === 'signature_delta') block.signature = delta.signature;
        else if (delta.type === 'citations_delta')
          block.citations = [...((block.citations as unknown[]) ?? []), delta.citation];
        else if (delta.type === 'input_json_delta')
          partialJson.set(index, `${partialJson.get(index) ?? ''}${delta.partial_json}`);
        break;
      }
      case 'content_block_stop': {
        const json = partialJson.get(index);
        const block = content[index];
        if (json !== undefined && block !== undefined) block.input = parseOr(json, json);
        partialJson.delete(index);
        break;
      }
      case 'message_delta':
        Object.assign(message, event.delta as Json);
        message.usage = { ...(message.usage as Json), ...(event.usage as Json) };
        break;
      case 'error':
        message.error = event.error;
        break;
    }
  }
  // Blocks still open when the stream ended keep what arrived of their input.
  for (const [index, json] of partialJson) {
    const block = content[index];
    if (block !== undefined) block.input = parseOr(json, json);
  }
  message.content = content.filter((block) => block !== undefined);
  return message;
}

function openai(chunks: readonly Json[]): Json {
  const completion: Json = { object: 'chat.completion' };
  const choices: Json[] = [];
  for (const chunk of chunks) {
    for (const key of ['id', 'created', 'model', 'service_tier', 'system_fingerprint']) {
      if (chunk[key] !== undefined && chunk[key] !== null) completion[key] = chunk[key];
    }
    if (chunk.usage !== undefined && chunk.usage !== null) completion.usage = chunk.usage;
    for (const choice of (chunk.choices as Json[] | undefined) ?? []) {
      const index = choice.index as number;
      choices[index] ??= {
        index,
        message: { role: 'assistant', content: null, refusal: null },
        finish_reason: null,
        logprobs: null,
      };
      const target = choices[index];
      if (choice.finish_reason !== undefined && choice.finish_reason !== null)
        target.finish_reason = choice.finish_reason;
      if (choice.logprobs !== undefined && choice.logprobs !== null)
        target.logprobs = choice.logprobs;
      const delta = (choice.delta as Json | undefined) ?? {};
      const message = target.message as Json;
      if (typeof delta.role === 'string') message.role = delta.role;
      if (typeof delta.content === 'string')
        message.content = `${(message.content as string | null) ?? ''}${delta.content}`;
      if (typeof delta.refusal === 'string')
        message.refusal = `${(message.refusal as string | null) ?? ''}${delta.refusal}`;
      for (const call of (delta.tool_calls as Json[] | undefined) ?? []) {
        message.tool_calls ??= [];
        const calls = message.tool_calls as Json[];
        const fn = (call.function as Json | undefined) ?? {};
        const at = call.index as number;
        calls[at] ??= {
          id: call.id,
          type: call.type ?? 'function',
          function: { name: '', arguments: '' },
        };
        const into = calls[at];
        if (typeof call.id === 'string') into.id = call.id;
        const intoFn = into.function as Json;
        if (typeof fn.name === 'string') intoFn.name = fn.name;
        if (typeof fn.arguments === 'string')
          intoFn.arguments = `${intoFn.arguments}${fn.arguments}`;
      }
    }
  }
  completion.choices = choices.filter((choice) => choice !== undefined);
  return completion;
}

function parseOr(text: string, fallback: unknown): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** The token usage a provider reports in a message or completion, as one short phrase. */
export function usageOf(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const usage = (message as Json).usage;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as Json;
  const input = u.input_tokens ?? u.prompt_tokens;
  const output = u.output_tokens ?? u.completion_tokens;
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  const parts = [`in ${String(input ?? '?')}`, `out ${String(output ?? '?')}`];
  if (typeof u.cache_read_input_tokens === 'number' && u.cache_read_input_tokens > 0)
    parts.push(`cache read ${u.cache_read_input_tokens}`);
  if (typeof u.cache_creation_input_tokens === 'number' && u.cache_creation_input_tokens > 0)
    parts.push(`cache write ${u.cache_creation_input_tokens}`);
  return `tokens ${parts.join(', ')}`;
}
