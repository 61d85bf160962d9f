import {
  asCount,
  asRecord,
  asString,
  type ParsedResponse,
  type ParsedToolCall,
  type ProviderParser,
  type ToolResultRef,
  tryJson,
} from './model-call.js';

function errorOf(body: Record<string, unknown>): ParsedResponse['providerError'] {
  const error = asRecord(body.error);
  if (body.type !== 'error' || error === undefined) return undefined;
  return { type: asString(error.type) ?? 'error', message: asString(error.message) ?? '' };
}

function toolCallsOf(content: readonly unknown[]): ParsedToolCall[] {
  const calls: ParsedToolCall[] = [];
  for (const block of content) {
    const b = asRecord(block);
    if (b?.type !== 'tool_use' && b?.type !== 'server_tool_use') continue;
    const id = asString(b.id);
    calls.push({
      ...(id !== undefined ? { id } : {}),
      name: asString(b.name) ?? 'unknown_tool',
      input: b.input ?? {},
    });
  }
  return calls;
}

function fromMessage(message: Record<string, unknown>): ParsedResponse {
  const content = Array.isArray(message.content) ? message.content : [];
  const usage = asRecord(message.usage);
  const stop = asString(message.stop_reason);
  const model = asString(message.model);
  const id = asString(message.id);
  const input = asCount(usage?.input_tokens);
  const output = asCount(usage?.output_tokens);
  // Anthropic counts cached input apart from `input_tokens`.
  const cacheRead = asCount(usage?.cache_read_input_tokens);
  const cacheCreation = asCount(usage?.cache_creation_input_tokens);
  return {
    ...(model !== undefined ? { responseModel: model } : {}),
    ...(id !== undefined ? { responseId: id } : {}),
    finishReasons: stop !== undefined ? [stop] : [],
    ...(input !== undefined ? { inputTokens: input } : {}),
    ...(output !== undefined ? { outputTokens: output } : {}),
    ...(cacheRead !== undefined ? { cacheReadInputTokens: cacheRead } : {}),
    ...(cacheCreation !== undefined ? { cacheCreationInputTokens: cacheCreation } : {}),
    message,
    contentBlocks: content.length,
    toolCalls: toolCallsOf(content),
  };
}

/** The Anthropic Messages API (`POST /v1/messages`), JSON or server-sent events. */
export const anthropicParser: ProviderParser = {
  provider: 'anthropic',
  capability: 'anthropic.messages',
  parseJson(body) {
    const record = asRecord(body);
    if (record === undefined) return { finishReasons: [], toolCalls: [] };
    const providerError = errorOf(record);
    if (providerError !== undefined) return { finishReasons: [], toolCalls: [], providerError };
    return fromMessage(record);
  },
  parseSse(events) {
    // Rebuild the message the stream described: message_start carries the shell and input
    // usage, content blocks arrive by index, input JSON arrives as string fragments, and
    // message_delta carries the stop reason and the final usage.
    let message: Record<string, unknown> = {};
    // Blocks by their stream index. A map, not an array: a corrupt index (2e9) must not make a
    // sparse array whose every slot is then walked.
    const blocks = new Map<number, Record<string, unknown>>();
    let nextIndex = 0;
    const partialJson = new Map<number, string>();
    let providerError: ParsedResponse['providerError'];
    // A body with no message event (an HTML error page, an empty stream) describes no message:
    // reporting an empty one would invent a result the exchange never had.
    let sawMessage = false;
    for (const event of events) {
      const data = asRecord(tryJson(event.data));
      if (data === undefined) continue;
      const type = asString(data.type) ?? event.event;
      if (
        type === 'message_start' ||
        type === 'content_block_start' ||
        type === 'content_block_delta' ||
        type === 'message_delta'
      ) {
        sawMessage = true;
      }
      if (type === 'message_start') {
        message = { ...(asRecord(data.message) ?? {}) };
      } else if (type === 'content_block_start') {
        const index = asCount(data.index) ?? nextIndex;
        nextIndex = Math.max(nextIndex, index + 1);
        blocks.set(index, { ...(asRecord(data.content_block) ?? {}) });
      } else if (type === 'content_block_delta') {
        const index = asCount(data.index) ?? nextIndex - 1;
        // A delta with no index before any block belongs to nothing.
        if (index < 0) continue;
        nextIndex = Math.max(nextIndex, index + 1);
        const delta = asRecord(data.delta);
        const block = blocks.get(index) ?? {};
        blocks.set(index, block);
        if (delta?.type === 'text_delta') {
          block.text = `${asString(block.text) ?? ''}${asString(delta.text) ?? ''}`;
        } else if (delta?.type === 'input_json_delta') {
          partialJson.set(
            index,
            `${partialJson.get(index) ?? ''}${asString(delta.partial_json) ?? ''}`,
          );
        } else if (delta?.type === 'thinking_delta') {
          block.thinking = `${asString(block.thinking) ?? ''}${asString(delta.thinking) ?? ''}`;
        }
      } else if (type === 'message_delta') {
        const delta = asRecord(data.delta);
        if (delta !== undefined) message = { ...message, ...delta };
        const usage = asRecord(data.usage);
        if (usage !== undefined) message.usage = { ...(asRecord(message.usage) ?? {}), ...usage };
      } else if (type === 'error') {
        const error = asRecord(data.error);
        providerError = {
          type: asString(error?.type) ?? 'error',
          message: asString(error?.message) ?? '',
        };
      }
    }
    if (!sawMessage) {
      return providerError === undefined
        ? { finishReasons: [], toolCalls: [] }
        : { finishReasons: [], toolCalls: [], providerError };
    }
    for (const [index, text] of partialJson) {
      const block = blocks.get(index);
      if (block === undefined) continue;
      // A stream cut mid-argument leaves JSON that does not parse: keep the text.
      const parsed = text.length === 0 ? {} : tryJson(text);
      block.input = parsed === undefined ? text : parsed;
    }
    message.content = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
    const parsed = fromMessage(message);
    return providerError === undefined ? parsed : { ...parsed, providerError };
  },
  toolResults(request) {
    const results: ToolResultRef[] = [];
    const messages = asRecord(request)?.messages;
    if (!Array.isArray(messages)) return results;
    for (const message of messages) {
      const content = asRecord(message)?.content;
      if (!Array.isArray(content)) continue;
      for (const block of content) {
        const b = asRecord(block);
        const callId = asString(b?.tool_use_id);
        if (b?.type !== 'tool_result' || callId === undefined) continue;
        results.push({ callId, content: b.content ?? null, isError: b.is_error === true });
      }
    }
    return results;
  },
};
