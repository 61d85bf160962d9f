import type { Dialect, Reply, Turn } from './reply.js';
import { sseFrame } from './sse.js';
import { countTokens, splitJson, splitWords } from './text.js';

/** Error `type` the Messages API uses for each status; other 4xx and 5xx fall back by class. */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

type Block =
  | { type: 'text'; text: string; citations: null }
  | {
      type: 'tool_use';
      id: string;
      name: string;
      input: Record<string, unknown>;
      caller: { type: 'direct' };
    };

function blocksOf(turn: Turn): Block[] {
  const blocks: Block[] = [];
  if (turn.text !== undefined) blocks.push({ type: 'text', text: turn.text, citations: null });
  if (turn.toolUse !== undefined) {
    const { id, name, input } = turn.toolUse;
    const toolId = id ?? `toolu_${turn.seq}`;
    blocks.push({ type: 'tool_use', id: toolId, name, input, caller: { type: 'direct' } });
  }
  return blocks;
}

function outputTokens(blocks: Block[]): number {
  const text = blocks.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
  return countTokens(text);
}

function usage(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** The `message` object, as returned whole or (with empty content) in `message_start`. */
function message(turn: Turn, content: Block[], stopReason: string | null, output: number) {
  return {
    id: `msg_${turn.seq}`,
    type: 'message',
    role: 'assistant',
    model: turn.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: usage(turn.inputTokens, output),
  };
}

function frame(data: { type: string } & Record<string, unknown>): string {
  return sseFrame(data.type, JSON.stringify(data));
}

/** The event sequence of a streamed message, in the order the Messages API sends it. */
function streamFrames(turn: Turn, blocks: Block[], stopReason: string): string[] {
  const frames = [frame({ type: 'message_start', message: message(turn, [], null, 1) })];
  blocks.forEach((block, index) => {
    const start = block.type === 'text' ? { ...block, text: '' } : { ...block, input: {} };
    frames.push(frame({ type: 'content_block_start', index, content_block: start }));
    const deltas =
      block.type === 'text'
        ? splitWords(block.text).map((text) => ({ type: 'text_delta', text }))
        : splitJson(JSON.stringify(block.input)).map((partial_json) => ({
            type: 'input_json_delta',
            partial_json,
          }));
    for (const delta of deltas) frames.push(frame({ type: 'content_block_delta', index, delta }));
    frames.push(frame({ type: 'content_block_stop', index }));
  });
  frames.push(
    frame({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null, stop_details: null },
      usage: {
        input_tokens: turn.inputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: outputTokens(blocks),
      },
    }),
  );
  frames.push(frame({ type: 'message_stop' }));
  return frames;
}

/** The Anthropic Messages API (`POST /v1/messages`). */
export const anthropic: Dialect = {
  requestIdHeader: 'request-id',

  success(turn: Turn, request: Record<string, unknown>): Reply {
    const blocks = blocksOf(turn);
    const stopReason = turn.toolUse === undefined ? 'end_turn' : 'tool_use';
    if (request.stream === true)
      return { kind: 'sse', frames: streamFrames(turn, blocks, stopReason) };
    return {
      kind: 'json',
      status: 200,
      body: message(turn, blocks, stopReason, outputTokens(blocks)),
    };
  },

  error(status: number, message: string, seq: string): Reply {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return {
      kind: 'json',
      status,
      body: { type: 'error', error: { type, message }, request_id: `req_${seq}` },
    };
  },
};
