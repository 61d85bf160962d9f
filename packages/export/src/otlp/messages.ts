/**
 * Provider-native request and response bodies in the shapes the GenAI semantic conventions ask
 * for on `gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions` and
 * `gen_ai.tool.definitions`: messages of `{ role, parts }` (output messages with a
 * `finish_reason`), parts typed `text`, `tool_call`, `tool_call_response`, `reasoning`, or the
 * provider's own block type for anything else; tools as `{ type: 'function', name, … }`.
 */
import type { JsonValue } from '@trace/spec';

type Json = JsonValue;
type Part = { readonly [key: string]: Json };
export interface ChatMessage {
  readonly role: string;
  readonly parts: readonly Part[];
  readonly finish_reason?: string;
}

const record = (value: unknown): Record<string, Json> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, Json>)
    : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** Tool arguments as JSON: OpenAI sends them as JSON text, which is parsed when it is JSON. */
function argumentsOf(value: unknown): Json {
  if (typeof value !== 'string') return (value ?? null) as Json;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

/** The conventions' finish reasons; a provider's own reason passes through as it is. */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  stop: 'stop',
  max_tokens: 'length',
  length: 'length',
  tool_use: 'tool_call',
  tool_calls: 'tool_call',
  function_call: 'tool_call',
  refusal: 'content_filter',
  content_filter: 'content_filter',
};
export const finishReason = (reason: string): string => FINISH_REASONS[reason] ?? reason;

/** One Anthropic content block as a part. */
function anthropicPart(block: unknown): Part | undefined {
  if (typeof block === 'string') return { type: 'text', content: block };
  const b = record(block);
  if (b === undefined) return undefined;
  switch (b.type) {
    case 'text':
      return { type: 'text', content: text(b.text) ?? '' };
    case 'tool_use':
    case 'server_tool_use':
      return {
        type: 'tool_call',
        id: text(b.id) ?? null,
        name: text(b.name) ?? '',
        arguments: b.input ?? null,
      };
    case 'tool_result':
      return {
        type: 'tool_call_response',
        id: text(b.tool_use_id) ?? null,
        response: b.content ?? null,
      };
    case 'thinking':
      return { type: 'reasoning', content: text(b.thinking) ?? '' };
    default:
      // Images, documents and other blocks: named by their type, their data left out.
      return { type: text(b.type) ?? 'unknown' };
  }
}

function anthropicParts(content: unknown): Part[] {
  const blocks = Array.isArray(content) ? content : [content];
  return blocks.map(anthropicPart).filter((p): p is Part => p !== undefined);
}

/** OpenAI message content: a string, or an array of `{ type: 'text', text }` parts. */
function openaiContentParts(content: unknown): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return content.map((item): Part => {
    const c = record(item);
    if (c?.type === 'text') return { type: 'text', content: text(c.text) ?? '' };
    return { type: text(c?.type) ?? 'unknown' };
  });
}

function openaiToolCalls(calls: unknown): Part[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((call): Part => {
    const c = record(call);
    const fn = record(c?.function);
    return {
      type: 'tool_call',
      id: text(c?.id) ?? null,
      name: text(fn?.name) ?? '',
      arguments: argumentsOf(fn?.arguments),
    };
  });
}

function openaiMessage(message: unknown): ChatMessage | undefined {
  const m = record(message);
  if (m === undefined) return undefined;
  const role = text(m.role) ?? 'user';
  if (role === 'tool') {
    return {
      role,
      parts: [
        {
          type: 'tool_call_response',
          id: text(m.tool_call_id) ?? null,
          response: m.content ?? null,
        },
      ],
    };
  }
  return { role, parts: [...openaiContentParts(m.content), ...openaiToolCalls(m.tool_calls)] };
}

/** What a request carried, in the conventions' shapes; each absent when the request had none. */
export interface ConventionInput {
  readonly systemInstructions?: readonly Part[];
  readonly inputMessages?: readonly ChatMessage[];
  readonly toolDefinitions?: readonly Part[];
}

export function inputOf(provider: string, request: unknown): ConventionInput {
  const r = record(request);
  if (r === undefined) return {};
  const out: {
    systemInstructions?: Part[];
    inputMessages?: ChatMessage[];
    toolDefinitions?: Part[];
  } = {};
  if (provider === 'anthropic') {
    if (r.system !== undefined) out.systemInstructions = anthropicParts(r.system);
    if (Array.isArray(r.messages)) {
      out.inputMessages = r.messages.flatMap((m) => {
        const message = record(m);
        return message === undefined
          ? []
          : [{ role: text(message.role) ?? 'user', parts: anthropicParts(message.content) }];
      });
    }
    if (Array.isArray(r.tools)) {
      out.toolDefinitions = r.tools.flatMap((tool) => {
        const t = record(tool);
        if (t === undefined || typeof t.name !== 'string') return [];
        return [
          {
            type: t.input_schema !== undefined ? 'function' : (text(t.type) ?? 'function'),
            name: t.name,
            ...(typeof t.description === 'string' ? { description: t.description } : {}),
            ...(t.input_schema !== undefined ? { parameters: t.input_schema } : {}),
          },
        ];
      });
    }
    return out;
  }
  if (Array.isArray(r.messages)) {
    out.inputMessages = r.messages
      .map(openaiMessage)
      .filter((m): m is ChatMessage => m !== undefined);
  }
  if (Array.isArray(r.tools)) {
    out.toolDefinitions = r.tools.flatMap((tool) => {
      const t = record(tool);
      const fn = record(t?.function);
      if (fn === undefined || typeof fn.name !== 'string') return [];
      return [
        {
          type: text(t?.type) ?? 'function',
          name: fn.name,
          ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
          ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}),
        },
      ];
    });
  }
  return out;
}

/** The messages a response returned: one per choice (OpenAI), or the one message (Anthropic). */
export function outputOf(provider: string, response: unknown): ChatMessage[] | undefined {
  const r = record(response);
  if (r === undefined) return undefined;
  if (provider === 'anthropic') {
    return [
      {
        role: text(r.role) ?? 'assistant',
        parts: anthropicParts(r.content ?? []),
        finish_reason: finishReason(text(r.stop_reason) ?? ''),
      },
    ];
  }
  if (!Array.isArray(r.choices)) return undefined;
  return r.choices.map((choice) => {
    const c = record(choice);
    const message = openaiMessage(c?.message ?? {}) ?? { role: 'assistant', parts: [] };
    return {
      role: message.role,
      parts: message.parts,
      finish_reason: finishReason(text(c?.finish_reason) ?? ''),
    };
  });
}
