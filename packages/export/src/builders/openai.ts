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

function parseArguments(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? {};
  if (text.length === 0) return {};
  const parsed = tryJson(text);
  // Models sometimes emit arguments that are not valid JSON: keep the text as they sent it.
  return parsed === undefined ? text : parsed;
}

function fromCompletion(body: Record<string, unknown>): ParsedResponse {
  const choices = Array.isArray(body.choices) ? body.choices : [];
  const finishReasons: string[] = [];
  const toolCalls: ParsedToolCall[] = [];
  for (const choice of choices) {
    const c = asRecord(choice);
    const reason = asString(c?.finish_reason);
    if (reason !== undefined) finishReasons.push(reason);
    const calls = asRecord(c?.message)?.tool_calls;
    if (!Array.isArray(calls)) continue;
    for (const call of calls) {
      const record = asRecord(call);
      const fn = asRecord(record?.function);
      const id = asString(record?.id);
      toolCalls.push({
        ...(id !== undefined ? { id } : {}),
        name: asString(fn?.name) ?? 'unknown_tool',
        input: parseArguments(fn?.arguments),
      });
    }
  }
  const usage = asRecord(body.usage);
  const model = asString(body.model);
  const id = asString(body.id);
  const input = asCount(usage?.prompt_tokens);
  const output = asCount(usage?.completion_tokens);
  // OpenAI's prompt_tokens already include the cached ones; they are reported apart as well.
  const cacheRead = asCount(asRecord(usage?.prompt_tokens_details)?.cached_tokens);
  return {
    ...(model !== undefined ? { responseModel: model } : {}),
    ...(id !== undefined ? { responseId: id } : {}),
    finishReasons,
    ...(input !== undefined ? { inputTokens: input } : {}),
    ...(output !== undefined ? { outputTokens: output } : {}),
    ...(cacheRead !== undefined ? { cacheReadInputTokens: cacheRead } : {}),
    message: body,
    contentBlocks: choices.length,
    toolCalls,
  };
}

interface StreamChoice {
  content: string;
  finishReason?: string;
  /**
   * Tool calls by their stream index. A map, not an array: a corrupt index (2e9) must not make a
   * sparse array whose every slot is then walked.
   */
  toolCalls: Map<number, { id?: string; name: string; arguments: string }>;
  nextToolCall: number;
}

/** OpenAI Chat Completions (`POST …/chat/completions`), JSON or server-sent events. */
export const openaiParser: ProviderParser = {
  provider: 'openai',
  capability: 'openai.chat.completions',
  parseJson(body) {
    const record = asRecord(body);
    if (record === undefined) return { finishReasons: [], toolCalls: [] };
    const error = asRecord(record.error);
    if (error !== undefined && record.choices === undefined) {
      return {
        finishReasons: [],
        toolCalls: [],
        providerError: {
          type: asString(error.type) ?? asString(error.code) ?? 'error',
          message: asString(error.message) ?? '',
        },
      };
    }
    return fromCompletion(record);
  },
  parseSse(events) {
    // Rebuild a chat.completion from its chunks: deltas by choice index, tool-call argument
    // fragments by tool-call index, usage from the last chunk when include_usage was asked for.
    const choices = new Map<number, StreamChoice>();
    let id: string | undefined;
    let model: string | undefined;
    let usage: Record<string, unknown> | undefined;
    let providerError: ParsedResponse['providerError'];
    // A body with no completion chunk (an HTML error page, an empty stream) describes no
    // completion: rebuilding an empty one would invent a result the exchange never had.
    let sawChunk = false;
    for (const event of events) {
      if (event.data === '[DONE]') continue;
      const chunk = asRecord(tryJson(event.data));
      if (chunk === undefined) continue;
      const error = asRecord(chunk.error);
      if (error !== undefined) {
        providerError = {
          type: asString(error.type) ?? asString(error.code) ?? 'error',
          message: asString(error.message) ?? '',
        };
        continue;
      }
      sawChunk = true;
      id ??= asString(chunk.id);
      model ??= asString(chunk.model);
      const chunkUsage = asRecord(chunk.usage);
      if (chunkUsage !== undefined) usage = chunkUsage;
      for (const raw of Array.isArray(chunk.choices) ? chunk.choices : []) {
        const choice = asRecord(raw);
        const index = asCount(choice?.index) ?? 0;
        let state = choices.get(index);
        if (state === undefined) {
          state = { content: '', toolCalls: new Map(), nextToolCall: 0 };
          choices.set(index, state);
        }
        const reason = asString(choice?.finish_reason);
        if (reason !== undefined) state.finishReason = reason;
        const delta = asRecord(choice?.delta);
        state.content += asString(delta?.content) ?? '';
        for (const rawCall of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
          const call = asRecord(rawCall);
          const callIndex = asCount(call?.index) ?? state.nextToolCall;
          state.nextToolCall = Math.max(state.nextToolCall, callIndex + 1);
          const fn = asRecord(call?.function);
          const existing = state.toolCalls.get(callIndex) ?? { name: '', arguments: '' };
          state.toolCalls.set(callIndex, existing);
          const callId = asString(call?.id);
          if (callId !== undefined) existing.id = callId;
          existing.name += asString(fn?.name) ?? '';
          existing.arguments += asString(fn?.arguments) ?? '';
        }
      }
    }
    if (!sawChunk) {
      return providerError === undefined
        ? { finishReasons: [], toolCalls: [] }
        : { finishReasons: [], toolCalls: [], providerError };
    }
    const completion: Record<string, unknown> = {
      ...(id !== undefined ? { id } : {}),
      object: 'chat.completion',
      ...(model !== undefined ? { model } : {}),
      choices: [...choices.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, state]) => ({
          index,
          message: {
            role: 'assistant',
            content: state.content.length > 0 ? state.content : null,
            ...(state.toolCalls.size > 0
              ? {
                  tool_calls: [...state.toolCalls.entries()]
                    .sort(([a], [b]) => a - b)
                    .map(([, c]) => ({
                      ...(c.id !== undefined ? { id: c.id } : {}),
                      type: 'function',
                      function: { name: c.name, arguments: c.arguments },
                    })),
                }
              : {}),
          },
          finish_reason: state.finishReason ?? null,
        })),
      ...(usage !== undefined ? { usage } : {}),
    };
    const parsed = fromCompletion(completion);
    return providerError === undefined ? parsed : { ...parsed, providerError };
  },
  toolResults(request) {
    const results: ToolResultRef[] = [];
    const messages = asRecord(request)?.messages;
    if (!Array.isArray(messages)) return results;
    for (const message of messages) {
      const m = asRecord(message);
      const callId = asString(m?.tool_call_id);
      if (m?.role !== 'tool' || callId === undefined) continue;
      results.push({ callId, content: m.content ?? null, isError: false });
    }
    return results;
  },
};
