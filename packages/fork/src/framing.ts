/**
 * An assistant answer framed as the provider would have sent it: the recorded response's own
 * envelope (id, model, usage, headers) with new content — a whole JSON body, or, when the
 * recorded response was streamed, the provider's server-sent events cut and grouped into network
 * chunks like the recorded ones, so the SDKs' stream helpers read it unchanged.
 */
import type { Chunk, HeaderList, RecordedBody, RecordedResponse } from '@trace/spec';
import { ForkError } from './errors.js';
import type { ForkToolCall } from './options.js';

export interface AssistantAnswer {
  readonly text?: string | undefined;
  readonly toolCalls?: readonly ForkToolCall[] | undefined;
}

type Provider = 'anthropic' | 'openai';
type Json = Record<string, unknown>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The recorded response with `answer` in place of what the model said. */
export function frameAnswer(
  recorded: RecordedResponse,
  answer: AssistantAnswer,
  where: string,
): RecordedResponse {
  const body = recorded.body;
  if (body === null) throw unframeable(where, 'it has no body');
  if (body.kind === 'bytes') {
    const parsed = parseObject(decoder.decode(body.bytes));
    const provider = parsed === undefined ? undefined : providerOfMessage(parsed);
    if (parsed === undefined || provider === undefined)
      throw unframeable(
        where,
        'its body is neither an Anthropic message nor an OpenAI chat completion',
      );
    const framed =
      provider === 'anthropic'
        ? anthropicMessage(parsed, answer)
        : openaiCompletion(parsed, answer);
    const bytes = encoder.encode(JSON.stringify(framed));
    return withBody(recorded, { kind: 'bytes', bytes }, bytes.length);
  }
  const events = parseSse(decoder.decode(concat(body.chunks.map((c) => c.bytes))));
  const provider = providerOfStream(events);
  if (provider === undefined)
    throw unframeable(
      where,
      'its stream holds neither Anthropic message events nor OpenAI chat completion chunks',
    );
  const frames =
    provider === 'anthropic' ? anthropicFrames(events, answer) : openaiFrames(events, answer);
  return withBody(recorded, {
    kind: 'stream',
    chunks: rechunk(frames, body.chunks, events.length),
    end: { kind: 'complete' },
  });
}

/** The recorded response with another body: the length header (if any) fixed, no encoding. */
export function withBody(
  recorded: RecordedResponse,
  body: RecordedBody,
  length?: number,
  contentType?: string,
): RecordedResponse {
  const headers: [string, string][] = [];
  for (const [name, value] of recorded.headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-encoding') continue;
    if (lower === 'content-length') {
      if (length !== undefined) headers.push([name, String(length)]);
      continue;
    }
    if (lower === 'content-type' && contentType !== undefined) continue;
    headers.push([name, value]);
  }
  if (contentType !== undefined) headers.push(['content-type', contentType]);
  return { ...recorded, headers: headers as HeaderList, body };
}

function unframeable(where: string, why: string): ForkError {
  return new ForkError(
    'FORK_INVALID_INTERVENTION',
    `A message cannot be framed at ${where}: ${why}. Replace the response with { kind: 'bytes' } or { kind: 'json' } instead.`,
    { details: { at: where } },
  );
}

function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Json)
      : undefined;
  } catch {
    return undefined;
  }
}

function providerOfMessage(body: Json): Provider | undefined {
  if (body.type === 'message' && Array.isArray(body.content)) return 'anthropic';
  if (body.object === 'chat.completion' && Array.isArray(body.choices)) return 'openai';
  return undefined;
}

/** One server-sent event: its `event:` name (if any) and its `data:` text. */
export interface SseEvent {
  readonly event: string | undefined;
  readonly data: string;
}

export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event !== undefined || data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return events;
}

function providerOfStream(events: readonly SseEvent[]): Provider | undefined {
  if (events.some((e) => e.event === 'message_start')) return 'anthropic';
  if (events.some((e) => parseObject(e.data)?.object === 'chat.completion.chunk')) return 'openai';
  return undefined;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Cuts `text` into pieces of about `size` code points (the last may be shorter). */
function pieces(text: string, size: number): string[] {
  const points = [...text];
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''));
  return out;
}

/** The mean length of the recorded pieces, so new deltas are cut like the recorded ones. */
function meanLength(recorded: readonly string[], fallback: number): number {
  if (recorded.length === 0) return fallback;
  const total = recorded.reduce((n, piece) => n + [...piece].length, 0);
  return Math.max(1, Math.round(total / recorded.length));
}

// Anthropic Messages -------------------------------------------------------------------------

/**
 * The answer as content blocks. A text block takes the other fields of the recorded one
 * (`citations: null`, say), so the framed message has the provider's shape, not a subset of it.
 */
function anthropicBlocks(answer: AssistantAnswer, recordedText: Json | undefined): Json[] {
  const blocks: Json[] = [];
  if (answer.text !== undefined) blocks.push({ ...recordedText, type: 'text', text: answer.text });
  (answer.toolCalls ?? []).forEach((call, i) => {
    blocks.push({
      type: 'tool_use',
      id: call.id ?? `toolu_fork_${i}`,
      name: call.name,
      input: call.input,
    });
  });
  return blocks;
}

/** The first text block among `blocks`, if any. */
function textBlockOf(blocks: unknown): Json | undefined {
  if (!Array.isArray(blocks)) return undefined;
  return blocks.find((b): b is Json => (b as Json | undefined)?.type === 'text');
}

function anthropicStop(answer: AssistantAnswer): string {
  return (answer.toolCalls ?? []).length > 0 ? 'tool_use' : 'end_turn';
}

function anthropicMessage(recorded: Json, answer: AssistantAnswer): Json {
  return {
    ...recorded,
    content: anthropicBlocks(answer, textBlockOf(recorded.content)),
    stop_reason: anthropicStop(answer),
    stop_sequence: null,
  };
}

function sseText(event: string | undefined, data: Json | string): string {
  const json = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${json}\n\n`;
}

function anthropicFrames(events: readonly SseEvent[], answer: AssistantAnswer): string[] {
  const data = events.map((e) => parseObject(e.data));
  const start = data.find((d) => d?.type === 'message_start') ?? {
    type: 'message_start',
    message: {},
  };
  const delta = data.find((d) => d?.type === 'message_delta');
  const textDeltas: string[] = [];
  const jsonDeltas: string[] = [];
  for (const d of data) {
    const inner = d?.type === 'content_block_delta' ? (d.delta as Json | undefined) : undefined;
    if (inner?.type === 'text_delta' && typeof inner.text === 'string') textDeltas.push(inner.text);
    if (inner?.type === 'input_json_delta' && typeof inner.partial_json === 'string')
      jsonDeltas.push(inner.partial_json);
  }
  const textSize = meanLength(textDeltas, 16);
  const jsonSize = meanLength(jsonDeltas, 12);
  const opened = data.map((d) => (d?.type === 'content_block_start' ? d.content_block : undefined));
  const frames = [sseText('message_start', start)];
  anthropicBlocks(answer, textBlockOf(opened)).forEach((block, index) => {
    const isText = block.type === 'text';
    const opening = isText ? { ...block, text: '' } : { ...block, input: {} };
    frames.push(
      sseText('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: opening,
      }),
    );
    const parts = isText
      ? pieces(block.text as string, textSize).map((text) => ({ type: 'text_delta', text }))
      : pieces(JSON.stringify(block.input), jsonSize).map((partial_json) => ({
          type: 'input_json_delta',
          partial_json,
        }));
    for (const part of parts)
      frames.push(
        sseText('content_block_delta', { type: 'content_block_delta', index, delta: part }),
      );
    frames.push(sseText('content_block_stop', { type: 'content_block_stop', index }));
  });
  const recordedDelta = (delta?.delta as Json | undefined) ?? {};
  frames.push(
    sseText('message_delta', {
      ...(delta ?? { type: 'message_delta' }),
      delta: { ...recordedDelta, stop_reason: anthropicStop(answer), stop_sequence: null },
    }),
  );
  frames.push(sseText('message_stop', { type: 'message_stop' }));
  return frames;
}

// OpenAI Chat Completions --------------------------------------------------------------------

function openaiToolCalls(answer: AssistantAnswer): Json[] {
  return (answer.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_fork_${i}`,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.input) },
  }));
}

function openaiFinish(answer: AssistantAnswer): string {
  return (answer.toolCalls ?? []).length > 0 ? 'tool_calls' : 'stop';
}

function openaiCompletion(recorded: Json, answer: AssistantAnswer): Json {
  const choices = recorded.choices as Json[];
  const first = choices[0] ?? { index: 0 };
  const calls = openaiToolCalls(answer);
  const message: Json = {
    ...((first.message as Json | undefined) ?? {}),
    role: 'assistant',
    content: answer.text ?? null,
  };
  if (calls.length > 0) message.tool_calls = calls;
  else delete message.tool_calls;
  return { ...recorded, choices: [{ ...first, message, finish_reason: openaiFinish(answer) }] };
}

function openaiFrames(events: readonly SseEvent[], answer: AssistantAnswer): string[] {
  const chunks = events
    .map((e) => parseObject(e.data))
    .filter((d): d is Json => d?.object === 'chat.completion.chunk');
  const template = chunks[0] ?? {};
  // A usage chunk (empty `choices`) comes last when the request asked for one.
  const usage = chunks.find((c) => Array.isArray(c.choices) && c.choices.length === 0);
  const contentDeltas: string[] = [];
  const argumentDeltas: string[] = [];
  for (const chunk of chunks) {
    const delta = ((chunk.choices as Json[] | undefined)?.[0]?.delta as Json | undefined) ?? {};
    if (typeof delta.content === 'string' && delta.content !== '')
      contentDeltas.push(delta.content);
    for (const call of (delta.tool_calls as Json[] | undefined) ?? []) {
      const args = (call.function as Json | undefined)?.arguments;
      if (typeof args === 'string' && args !== '') argumentDeltas.push(args);
    }
  }
  const { choices: _choices, usage: _usage, ...envelope } = template;
  const hasUsageKey = 'usage' in template;
  const chunk = (delta: Json, finish: string | null): string =>
    sseText(undefined, {
      ...envelope,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(hasUsageKey ? { usage: null } : {}),
    });
  const frames = [chunk({ role: 'assistant', content: '' }, null)];
  for (const piece of answer.text === undefined
    ? []
    : pieces(answer.text, meanLength(contentDeltas, 16)))
    frames.push(chunk({ content: piece }, null));
  openaiToolCalls(answer).forEach((call, index) => {
    const fn = call.function as { name: string; arguments: string };
    frames.push(
      chunk(
        {
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: fn.name, arguments: '' } },
          ],
        },
        null,
      ),
    );
    for (const piece of pieces(fn.arguments, meanLength(argumentDeltas, 12)))
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
  });
  frames.push(chunk({}, openaiFinish(answer)));
  if (usage !== undefined) frames.push(sseText(undefined, usage));
  frames.push(sseText(undefined, '[DONE]'));
  return frames;
}

// Chunking ------------------------------------------------------------------------------------

/**
 * The frames grouped into network chunks as the recorded stream was (as many frames per chunk,
 * on average), their arrival offsets spread over the recorded stream's span.
 */
function rechunk(
  frames: readonly string[],
  recorded: readonly Chunk[],
  recordedFrames: number,
): Chunk[] {
  const perChunk = Math.max(1, Math.round(recordedFrames / Math.max(1, recorded.length)));
  const groups: string[] = [];
  for (let i = 0; i < frames.length; i += perChunk)
    groups.push(frames.slice(i, i + perChunk).join(''));
  const first = recorded[0]?.offsetMs ?? 0;
  const last = recorded.at(-1)?.offsetMs ?? first;
  return groups.map((text, i) => ({
    offsetMs: groups.length === 1 ? first : first + ((last - first) * i) / (groups.length - 1),
    bytes: encoder.encode(text),
  }));
}
