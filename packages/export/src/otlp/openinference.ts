/**
 * OpenInference attributes, written beside the GenAI ones when asked (`openInference: true`), so
 * Phoenix and other OpenInference tools render a run: the span kind, the model and token counts
 * and, with content on, the messages flattened as `llm.input_messages.{i}.message.*` and the
 * inputs and outputs as `input.value` / `output.value`.
 */
import type { ActionTrace } from '../contract.js';
import { type ChatMessage, inputOf, outputOf } from './messages.js';

type Attribute = readonly [string, string | number | boolean];

const SPAN_KINDS: Readonly<Record<string, string>> = {
  model_call: 'LLM',
  tool_call: 'TOOL',
  script_call: 'TOOL',
};

/** A message's text parts joined, as OpenInference's `message.content` holds text. */
function textOf(message: ChatMessage): string {
  return message.parts
    .filter((p) => p.type === 'text' && typeof p.content === 'string')
    .map((p) => p.content as string)
    .join('');
}

function messageAttributes(
  prefix: string,
  messages: readonly ChatMessage[],
  toJson: (value: unknown) => string,
): Attribute[] {
  const out: Attribute[] = [];
  messages.forEach((message, i) => {
    const base = `${prefix}.${i}.message`;
    out.push([`${base}.role`, message.role]);
    const text = textOf(message);
    if (text.length > 0) out.push([`${base}.content`, text]);
    let call = 0;
    for (const part of message.parts) {
      if (part.type === 'tool_call') {
        const tool = `${base}.tool_calls.${call++}.tool_call`;
        if (typeof part.id === 'string') out.push([`${tool}.id`, part.id]);
        out.push([`${tool}.function.name`, String(part.name ?? '')]);
        out.push([`${tool}.function.arguments`, toJson(part.arguments)]);
      } else if (part.type === 'tool_call_response' && typeof part.id === 'string') {
        out.push([`${base}.tool_call_id`, part.id]);
        if (text.length === 0) out.push([`${base}.content`, toJson(part.response)]);
      }
    }
  });
  return out;
}

/** The OpenInference attributes of one action's span (strings still to be redacted). */
export function openInferenceAttributes(
  trace: ActionTrace,
  content: boolean,
  toJson: (value: unknown) => string,
): Attribute[] {
  const out: Attribute[] = [['openinference.span.kind', SPAN_KINDS[trace.kind] ?? 'CHAIN']];
  if (trace.kind === 'model_call' && trace.model !== undefined) {
    const model = trace.model;
    out.push(['llm.provider', model.provider], ['llm.system', model.provider]);
    const name = model.responseModel ?? model.requestModel;
    if (name !== undefined) out.push(['llm.model_name', name]);
    // OpenInference's prompt count includes cached input, as the GenAI one does.
    const prompt =
      model.inputTokens === undefined
        ? undefined
        : model.provider === 'anthropic'
          ? model.inputTokens +
            (model.cacheReadInputTokens ?? 0) +
            (model.cacheCreationInputTokens ?? 0)
          : model.inputTokens;
    if (prompt !== undefined) out.push(['llm.token_count.prompt', prompt]);
    if (model.outputTokens !== undefined)
      out.push(['llm.token_count.completion', model.outputTokens]);
    if (prompt !== undefined && model.outputTokens !== undefined)
      out.push(['llm.token_count.total', prompt + model.outputTokens]);
    if (model.cacheReadInputTokens !== undefined)
      out.push(['llm.token_count.prompt_details.cache_read', model.cacheReadInputTokens]);
    if (model.cacheCreationInputTokens !== undefined)
      out.push(['llm.token_count.prompt_details.cache_write', model.cacheCreationInputTokens]);
    if (content) {
      const input = inputOf(model.provider, trace.arguments);
      const messages = [
        ...(input.systemInstructions !== undefined
          ? [{ role: 'system', parts: input.systemInstructions }]
          : []),
        ...(input.inputMessages ?? []),
      ];
      out.push(...messageAttributes('llm.input_messages', messages, toJson));
      const output =
        trace.result?.value !== undefined
          ? outputOf(model.provider, trace.result.value)
          : undefined;
      if (output !== undefined)
        out.push(...messageAttributes('llm.output_messages', output, toJson));
    }
  } else if (trace.kind === 'tool_call' || trace.kind === 'script_call') {
    out.push(['tool.name', trace.name]);
  }
  if (content && trace.arguments !== undefined) {
    out.push(['input.value', toJson(trace.arguments)], ['input.mime_type', 'application/json']);
  }
  if (content && trace.result?.value !== undefined) {
    out.push(
      ['output.value', toJson(trace.result.value)],
      ['output.mime_type', 'application/json'],
    );
  }
  return out;
}
