/**
 * A model call read as a conversation: the request's system prompt and messages, then what the
 * model answered, as messages of parts (text, tool use, tool result) — for Anthropic Messages and
 * OpenAI Chat Completions, whose wire formats differ in where each of these lives.
 */
import type { Json, Provider } from './report-data.js';

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export type MessagePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'tool_use'; readonly id?: string; readonly name: string; readonly input: Json }
  | {
      readonly kind: 'tool_result';
      readonly id?: string;
      readonly content: Json;
      readonly isError: boolean;
    }
  /** A part the page does not know (an image, thinking, a new block type): shown as JSON. */
  | { readonly kind: 'other'; readonly value: Json };

export interface ConversationMessage {
  readonly role: Role;
  readonly parts: readonly MessagePart[];
  /** True for what the model answered in this exchange (the response), false for what it was sent. */
  readonly answer: boolean;
}

type Obj = { readonly [key: string]: Json };
const isObj = (value: Json | undefined): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: Json | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * The conversation of one exchange: the request's messages, then the response's (`answer: true`).
 * A request or response that is not of the provider's shape adds no messages.
 */
export function conversationOf(
  provider: Provider,
  request: Json | undefined,
  response: Json | undefined,
): ConversationMessage[] {
  if (provider === 'anthropic')
    return [...anthropicRequest(request), ...anthropicResponse(response)];
  if (provider === 'openai') return [...openaiRequest(request), ...openaiResponse(response)];
  return [];
}

function role(value: Json | undefined): Role {
  if (value === 'system' || value === 'developer') return 'system';
  if (value === 'assistant' || value === 'tool') return value;
  return 'user';
}

function anthropicBlocks(content: Json | undefined): MessagePart[] {
  if (typeof content === 'string') return [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return (content as Json[]).map((block): MessagePart => {
    if (!isObj(block)) return { kind: 'other', value: block };
    if (block.type === 'text') return { kind: 'text', text: str(block.text) ?? '' };
    if (block.type === 'tool_use' || block.type === 'server_tool_use')
      return withId(
        { kind: 'tool_use', name: str(block.name) ?? '', input: block.input ?? null },
        block.id,
      );
    if (block.type === 'tool_result') {
      const content = block.content ?? null;
      // A tool result's content is a string or text blocks; text blocks read as their text.
      const text =
        Array.isArray(content) && (content as Json[]).every((b) => isObj(b) && b.type === 'text')
          ? (content as Obj[]).map((b) => str(b.text) ?? '').join('')
          : content;
      return withId(
        { kind: 'tool_result', content: text, isError: block.is_error === true },
        block.tool_use_id,
      );
    }
    return { kind: 'other', value: block };
  });
}

function withId<T extends MessagePart>(part: T, id: Json | undefined): T {
  return typeof id === 'string' ? { ...part, id } : part;
}

function anthropicRequest(request: Json | undefined): ConversationMessage[] {
  if (!isObj(request)) return [];
  const out: ConversationMessage[] = [];
  const system = anthropicBlocks(request.system);
  if (system.length > 0) out.push({ role: 'system', parts: system, answer: false });
  if (Array.isArray(request.messages))
    for (const message of request.messages as Json[])
      if (isObj(message))
        out.push({
          role: role(message.role),
          parts: anthropicBlocks(message.content),
          answer: false,
        });
  return out;
}

function anthropicResponse(response: Json | undefined): ConversationMessage[] {
  if (!isObj(response) || !Array.isArray(response.content)) return [];
  return [
    {
      role: role(response.role ?? 'assistant'),
      parts: anthropicBlocks(response.content),
      answer: true,
    },
  ];
}

function openaiContent(content: Json | undefined): MessagePart[] {
  if (typeof content === 'string') return [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return (content as Json[]).map(
    (part): MessagePart =>
      isObj(part) && part.type === 'text'
        ? { kind: 'text', text: str(part.text) ?? '' }
        : { kind: 'other', value: part },
  );
}

/** A tool call's arguments: the JSON string parsed, kept as the string when it is not JSON. */
function toolArguments(value: Json | undefined): Json {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

function openaiMessage(message: Obj, answer: boolean): ConversationMessage {
  const r = role(message.role);
  if (r === 'tool') {
    const content =
      typeof message.content === 'string' ? message.content : (message.content ?? null);
    return {
      role: 'tool',
      parts: [withId({ kind: 'tool_result', content, isError: false }, message.tool_call_id)],
      answer,
    };
  }
  const parts = openaiContent(message.content);
  if (Array.isArray(message.tool_calls))
    for (const call of message.tool_calls as Json[]) {
      if (!isObj(call) || !isObj(call.function)) continue;
      parts.push(
        withId(
          {
            kind: 'tool_use',
            name: str(call.function.name) ?? '',
            input: toolArguments(call.function.arguments),
          },
          call.id,
        ),
      );
    }
  return { role: r, parts, answer };
}

function openaiRequest(request: Json | undefined): ConversationMessage[] {
  if (!isObj(request) || !Array.isArray(request.messages)) return [];
  return (request.messages as Json[]).filter(isObj).map((message) => openaiMessage(message, false));
}

function openaiResponse(response: Json | undefined): ConversationMessage[] {
  if (!isObj(response) || !Array.isArray(response.choices)) return [];
  return (response.choices as Json[])
    .filter(isObj)
    .map((choice) => choice.message)
    .filter(isObj)
    .map((message) => openaiMessage(message, true));
}
