import type { Dialect, Reply, Turn } from './reply.js';
import { sseFrame } from './sse.js';
import { countTokens, FIXED_CREATED, splitJson, splitWords } from './text.js';

/** Error `type` and `code` the Chat Completions API uses for common statuses. */
const ERRORS: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

function toolCallOf(turn: Turn): ToolCall | undefined {
  if (turn.toolUse === undefined) return undefined;
  const { id, name, input } = turn.toolUse;
  return {
    id: id ?? `call_${turn.seq}`,
    type: 'function',
    function: { name, arguments: JSON.stringify(input) },
  };
}

function usage(turn: Turn, toolCall: ToolCall | undefined) {
  const completion = countTokens((turn.text ?? '') + (toolCall?.function.arguments ?? ''));
  return {
    prompt_tokens: turn.inputTokens,
    completion_tokens: completion,
    total_tokens: turn.inputTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Fields every completion and chunk share. */
function envelope(turn: Turn, object: string) {
  return {
    id: `chatcmpl-${turn.seq}`,
    object,
    created: FIXED_CREATED,
    model: turn.model,
    service_tier: 'default',
    system_fingerprint: null,
  };
}

function completion(turn: Turn, toolCall: ToolCall | undefined, finishReason: string) {
  return {
    ...envelope(turn, 'chat.completion'),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.text ?? null,
          refusal: null,
          annotations: [],
          ...(toolCall === undefined ? {} : { tool_calls: [toolCall] }),
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: usage(turn, toolCall),
  };
}

/** The chunk sequence of a streamed completion, ending with `data: [DONE]`. */
function streamFrames(
  turn: Turn,
  toolCall: ToolCall | undefined,
  finishReason: string,
  includeUsage: boolean,
): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    ...envelope(turn, 'chat.completion.chunk'),
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    // With include_usage every chunk carries `usage: null` until the final usage chunk.
    ...(includeUsage ? { usage: null } : {}),
  });
  const deltas: Record<string, unknown>[] = [
    { role: 'assistant', content: turn.text === undefined ? null : '', refusal: null },
  ];
  for (const content of splitWords(turn.text ?? '')) deltas.push({ content });
  if (toolCall !== undefined) {
    const { id, type, function: fn } = toolCall;
    deltas.push({
      tool_calls: [{ index: 0, id, type, function: { name: fn.name, arguments: '' } }],
    });
    for (const args of splitJson(fn.arguments)) {
      deltas.push({ tool_calls: [{ index: 0, function: { arguments: args } }] });
    }
  }
  const chunks: unknown[] = deltas.map((delta) => chunk(delta, null));
  chunks.push(chunk({}, finishReason));
  if (includeUsage) {
    chunks.push({
      ...envelope(turn, 'chat.completion.chunk'),
      choices: [],
      usage: usage(turn, toolCall),
    });
  }
  return [...chunks.map((c) => sseFrame(null, JSON.stringify(c))), sseFrame(null, '[DONE]')];
}

function includeUsage(request: Record<string, unknown>): boolean {
  const options = request.stream_options;
  return typeof options === 'object' && options !== null && 'include_usage' in options
    ? options.include_usage === true
    : false;
}

/** The OpenAI Chat Completions API (`POST /v1/chat/completions`). */
export const openai: Dialect = {
  requestIdHeader: 'x-request-id',

  success(turn: Turn, request: Record<string, unknown>): Reply {
    const toolCall = toolCallOf(turn);
    const finishReason = toolCall === undefined ? 'stop' : 'tool_calls';
    if (request.stream === true) {
      return {
        kind: 'sse',
        frames: streamFrames(turn, toolCall, finishReason, includeUsage(request)),
      };
    }
    return { kind: 'json', status: 200, body: completion(turn, toolCall, finishReason) };
  },

  error(status: number, message: string): Reply {
    const known = ERRORS[status];
    const error = known ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: null,
    };
    return {
      kind: 'json',
      status,
      body: { error: { message, type: error.type, param: null, code: error.code } },
    };
  },
};
