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
  return {
    ...(model !== undefined ? { responseModel: model } : {}),
    ...(id !== undefined ? { responseId: id } : {}),
    finishReasons,
    ...(input !== undefined ? { inputTokens: input } : {}),
    ...(output !== undefined ? { outputTokens: output } : {}),
    message: body,
    contentBlocks: choices.length,
    toolCalls,
  };
}

interface StreamChoice {
  content: string;
  finishReason?: string;
  toolCalls: { id?: string; name: string; arguments: string }[];
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
      id ??= asString(chunk.id);
      model ??= asString(chunk.model);
      const chunkUsage = asRecord(chunk.usage);
      if (chunkUsage !== undefined) usage = chunkUsage;
      for (const raw of Array.isArray(chunk.choices) ? chunk.choices : []) {
        const choice = asRecord(raw);
        const index = asCount(choice?.index) ?? 0;
        let state = choices.get(index);
        if (state === undefined) {
          state = { content: '', toolCalls: [] };
          choices.set(index, state);
        }
        const reason = asString(choice?.finish_reason);
        if (reason !== undefined) state.finishReason = reason;
        const delta = asRecord(choice?.delta);
        state.content += asString(delta?.content) ?? '';
        for (const rawCall of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
          const call = asRecord(rawCall);
          const callIndex = asCount(call?.index) ?? state.toolCalls.length;
          const fn = asRecord(call?.function);
          const existing = state.toolCalls[callIndex] ?? { name: '', arguments: '' };
          state.toolCalls[callIndex] = existing;
          const callId = asString(call?.id);
          if (callId !== undefined) existing.id = callId;
          existing.name += asString(fn?.name) ?? '';
          existing.arguments += asString(fn?.arguments) ?? '';
        }
      }
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
            ...(state.toolCalls.length > 0
              ? {
                  tool_calls: state.toolCalls
                    .filter((c) => c !== undefined)
                    .map((c) => ({
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
