import { DrawKind, type ExchangeEvent, parseSse, type TapeContent } from '@trace/spec';
import type { ModelInfo, Principal } from '../contract.js';
import type { ActionTraceDraft } from '../draft.js';
import { ExportError, ExportErrorCode } from '../errors.js';
import { deriveActionId } from '../ids.js';
import { toIsoTime } from '../time.js';
import { anthropicParser } from './anthropic.js';
import {
  asCount,
  asRecord,
  type ParsedResponse,
  type ProviderParser,
  type ToolResultRef,
  tryJson,
} from './model-call.js';
import { openaiParser } from './openai.js';

/** How to read a tape into trace drafts. */
export interface TapeTraceOptions {
  /** Groups the drafts; default `tape:<fingerprint>`. Pass the audit session's run id to join. */
  readonly runId?: string;
  readonly principal?: Principal;
  /** Used when the tape has no wall-clock draw before an exchange and no `metadata.createdAt`. */
  readonly startedAt?: string | number | Date;
}

const decoder = new TextDecoder();

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** Where a request went: `server.address` and `server.port` of the GenAI conventions. */
function serverOf(url: string): { serverAddress?: string; serverPort?: number } {
  try {
    const parsed = new URL(url);
    const address = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = parsed.port !== '' ? Number(parsed.port) : DEFAULT_PORTS[parsed.protocol];
    return {
      ...(address.length > 0 ? { serverAddress: address } : {}),
      ...(port !== undefined ? { serverPort: port } : {}),
    };
  } catch {
    return {};
  }
}

function parserFor(url: string): ProviderParser | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  // Anthropic's Messages API is POST /v1/messages; a bare `/messages` would also take in other
  // APIs' message lists (OpenAI's `/v1/threads/{id}/messages`), whose bodies are not model calls.
  if (/\/v1\/messages\/?$/.test(path)) return anthropicParser;
  if (/\/chat\/completions\/?$/.test(path)) return openaiParser;
  return undefined;
}

function bodyText(body: unknown): string | undefined {
  return ArrayBuffer.isView(body) ? decoder.decode(body as Uint8Array) : undefined;
}

function concat(chunks: readonly { readonly bytes: Uint8Array }[]): string {
  // Decode as one stream so a character split across chunks survives.
  const streaming = new TextDecoder();
  let text = '';
  for (const chunk of chunks) text += streaming.decode(chunk.bytes, { stream: true });
  return text + streaming.decode();
}

/** A wall-clock draw's time (`DrawKind.wallClock`: epoch milliseconds), if the draw is one. */
function wallClock(kind: unknown, value: unknown): string | undefined {
  return kind === DrawKind.wallClock && typeof value === 'number' ? toIsoTime(value) : undefined;
}

interface ModelCall {
  readonly draft: ActionTraceDraft;
  readonly annotations: unknown[];
  readonly parsed: ParsedResponse;
  readonly endIso: string;
  readonly parser: ProviderParser;
  readonly exchangeIndex: number;
}

/** When an exchange was sent, and whether a wall-clock draw said so (not a fallback). */
interface ExchangeStart {
  readonly iso: string;
  readonly drawn: boolean;
}

/**
 * Reads model calls (Anthropic Messages, OpenAI Chat Completions; JSON or SSE) and the tool
 * calls they asked for from a tape.
 *
 * - `evidence.tape.exchangeIndex` is the exchange's zero-based position among the tape's
 *   `exchange` events only; draws and annotations are not counted. Exchanges with other APIs
 *   are counted but produce no trace.
 * - A model call starts at the last wall-clock draw before it (else the tape's `createdAt`,
 *   else `startedAt`) and lasts as the transport recorded (`timing.endMs`: until the body
 *   ended); a tape without timings gives a streamed call until its last chunk, and a whole one
 *   no duration.
 * - A tool call becomes a trace only when a later request in the tape carries its result; a
 *   requested call with no result (denied, or the run ended first) produces none. The tape
 *   has no clock for tool execution: the call runs from the end of the model call that asked
 *   for it to the start of the request that carried its result back, when a wall-clock draw
 *   dates that request.
 * - Annotations attach to the model call before them (the first one, for those before any).
 */
export function tracesFromTape(
  tape: TapeContent,
  options: TapeTraceOptions = {},
): ActionTraceDraft[] {
  if (
    typeof tape !== 'object' ||
    tape === null ||
    typeof tape.fingerprint !== 'string' ||
    !/^[0-9a-f]+$/i.test(tape.fingerprint)
  ) {
    throw new ExportError(
      ExportErrorCode.INVALID_SOURCE,
      'The tape has no hex `fingerprint`: pass the tape as @trace/tape reads it ({ fingerprint, events, metadata }).',
    );
  }
  const events = tape.events;
  if (events === null || typeof (events as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new ExportError(ExportErrorCode.INVALID_SOURCE, 'The tape has no iterable `events`.');
  }
  const fingerprint = tape.fingerprint.toLowerCase();
  const runId = options.runId ?? `tape:${fingerprint}`;
  const fallbackTime = toIsoTime(tape.metadata?.createdAt) ?? toIsoTime(options.startedAt);
  const calls: ModelCall[] = [];
  const results = new Map<string, { ref: ToolResultRef; exchangeIndex: number }>();
  const starts = new Map<number, ExchangeStart>();
  const pendingAnnotations: unknown[] = [];
  let clock: string | undefined;
  let exchangeIndex = -1;

  for (const event of events) {
    if (event?.type === 'draw') {
      clock = wallClock(event.kind, event.value) ?? clock;
      continue;
    }
    if (event?.type === 'annotation') {
      const last = calls[calls.length - 1];
      if (last !== undefined) last.annotations.push(event.data);
      else pendingAnnotations.push(event.data);
      continue;
    }
    if (event?.type !== 'exchange') continue;
    exchangeIndex++;
    const url: unknown = event.request?.url;
    const parser = typeof url === 'string' ? parserFor(url) : undefined;
    if (parser === undefined) continue;
    const requestBody = tryJson(bodyText(event.request?.body) ?? '');
    for (const ref of parser.toolResults(requestBody)) {
      if (!results.has(ref.callId)) results.set(ref.callId, { ref, exchangeIndex });
    }
    const invokedAt = clock ?? fallbackTime;
    if (invokedAt !== undefined)
      starts.set(exchangeIndex, { iso: invokedAt, drawn: clock !== undefined });
    if (invokedAt === undefined) {
      throw new ExportError(
        ExportErrorCode.INVALID_SOURCE,
        `Exchange ${exchangeIndex} has no time: the tape has no wall-clock draw before it and no metadata.createdAt. Pass options.startedAt.`,
        { details: { exchangeIndex } },
      );
    }
    const context = { fingerprint, exchangeIndex, runId, invokedAt, principal: options.principal };
    try {
      calls.push(readModelCall(event, parser, requestBody, context));
    } catch (cause) {
      // A structurally broken exchange (bodies that are not bytes, a missing response) is
      // reported, not thrown from deep inside a decoder.
      throw new ExportError(
        ExportErrorCode.INVALID_SOURCE,
        `Exchange ${exchangeIndex} is not a recorded exchange @trace/tape writes: check the tape events.`,
        { cause, details: { exchangeIndex } },
      );
    }
  }
  if (pendingAnnotations.length > 0 && calls[0] !== undefined) {
    calls[0].annotations.unshift(...pendingAnnotations);
  }

  const drafts: ActionTraceDraft[] = [];
  for (const call of calls) {
    drafts.push(
      call.annotations.length > 0 ? { ...call.draft, annotations: call.annotations } : call.draft,
    );
    call.parsed.toolCalls.forEach((tool, toolCallIndex) => {
      const found = tool.id === undefined ? undefined : results.get(tool.id);
      if (found === undefined || found.exchangeIndex <= call.exchangeIndex) return;
      const evidence = { tape: { fingerprint, exchangeIndex: call.exchangeIndex, toolCallIndex } };
      const durationMs = toolDuration(call.endIso, starts.get(found.exchangeIndex));
      drafts.push({
        id: deriveActionId('tape-tool', fingerprint, call.exchangeIndex, toolCallIndex),
        runId,
        kind: 'tool_call',
        name: tool.name,
        ...(options.principal !== undefined ? { principal: options.principal } : {}),
        invokedAt: call.endIso,
        ...(durationMs !== undefined ? { durationMs } : {}),
        status: found.ref.isError ? 'failed' : 'succeeded',
        // The error names the failure, not the tool's output: the output is content (the result,
        // exported only where content is), and a message would carry it into OTLP regardless.
        ...(found.ref.isError ? { error: { type: 'ToolError', message: TOOL_ERROR_MESSAGE } } : {}),
        arguments: tool.input,
        result: found.ref.content,
        ...(found.ref.isError ? { resultFlags: { isError: true } } : {}),
        evidence,
        ...(tool.id !== undefined ? { callId: tool.id } : {}),
        parentId: call.draft.id!,
      });
    });
  }
  return drafts;
}

const TOOL_ERROR_MESSAGE = 'The tool reported an error; its result holds the details.';

/** From the end of the asking call to a drawn start of the request carrying the result. */
function toolDuration(endIso: string, resultStart: ExchangeStart | undefined): number | undefined {
  if (resultStart === undefined || !resultStart.drawn) return undefined;
  const ms = Date.parse(resultStart.iso) - Date.parse(endIso);
  return ms >= 0 ? ms : undefined;
}

/** The recorded time to the body's end (to the failure, for a failed exchange), when valid. */
function recordedEnd(event: ExchangeEvent): number | undefined {
  // Checked, not trusted: a tape is input, and an older one has no timing at all.
  const end: unknown = event.timing?.endMs;
  return typeof end === 'number' && Number.isFinite(end) && end >= 0 ? end : undefined;
}

interface CallContext {
  readonly fingerprint: string;
  readonly exchangeIndex: number;
  readonly runId: string;
  readonly invokedAt: string;
  readonly principal: Principal | undefined;
}

function readModelCall(
  event: ExchangeEvent,
  parser: ProviderParser,
  requestBody: unknown,
  context: CallContext,
): ModelCall {
  const request = asRecord(requestBody);
  const response = event.response;
  const body = response?.body ?? null;
  let parsed: ParsedResponse = { finishReasons: [], toolCalls: [] };
  let durationMs: number | undefined;
  let streamed = false;
  let incomplete = false;
  let streamError: { type: string; message: string } | undefined;
  if (body?.kind === 'bytes') {
    const text = decoder.decode(body.bytes);
    const json = tryJson(text);
    parsed = json !== undefined ? parser.parseJson(json) : parser.parseSse(parseSse(text));
    streamed = json === undefined && text.includes('data:');
  } else if (body?.kind === 'stream') {
    streamed = true;
    const text = concat(body.chunks);
    const json = body.chunks.length > 0 && !text.includes('data:') ? tryJson(text) : undefined;
    parsed = json !== undefined ? parser.parseJson(json) : parser.parseSse(parseSse(text));
    const last = body.chunks[body.chunks.length - 1];
    // Without a recorded timing (older tapes), the stream lasted until its last chunk.
    durationMs = body.end.kind === 'complete' ? (last?.offsetMs ?? 0) : body.end.offsetMs;
    if (body.end.kind === 'cancelled') {
      incomplete = true;
      streamError = {
        type: 'AbortError',
        message: 'The caller cancelled the stream before it ended.',
      };
    } else if (body.end.kind === 'error') {
      incomplete = true;
      streamError = {
        type: body.end.error.code ?? body.end.error.name,
        message: body.end.error.message,
      };
    }
  }

  // The transport's own timing wins: it knows when a whole body was read, which no chunk says.
  durationMs = recordedEnd(event) ?? durationMs;

  let error: { type: string; message: string } | undefined;
  if (event.error !== undefined) {
    error = { type: event.error.code ?? event.error.name, message: event.error.message };
  } else if (response !== undefined && response.status >= 400) {
    error = parsed.providerError ?? {
      type: `http_${response.status}`,
      message: response.statusText,
    };
  } else {
    error = streamError ?? parsed.providerError;
  }

  const model: { -readonly [K in keyof ModelInfo]: ModelInfo[K] } = {
    provider: parser.provider,
    streamed: streamed || request?.stream === true,
  };
  const requestModel = request?.model;
  if (typeof requestModel === 'string') model.requestModel = requestModel;
  if (parsed.responseModel !== undefined) model.responseModel = parsed.responseModel;
  if (parsed.responseId !== undefined) model.responseId = parsed.responseId;
  if (parsed.finishReasons.length > 0) model.finishReasons = parsed.finishReasons;
  if (parsed.inputTokens !== undefined) model.inputTokens = parsed.inputTokens;
  if (parsed.outputTokens !== undefined) model.outputTokens = parsed.outputTokens;
  const maxTokens = asCount(request?.max_tokens) ?? asCount(request?.max_completion_tokens);
  if (maxTokens !== undefined) model.maxTokens = maxTokens;
  if (typeof request?.temperature === 'number' && Number.isFinite(request.temperature))
    model.temperature = request.temperature;
  if (typeof request?.top_p === 'number' && Number.isFinite(request.top_p))
    model.topP = request.top_p;
  if (parsed.cacheReadInputTokens !== undefined)
    model.cacheReadInputTokens = parsed.cacheReadInputTokens;
  if (parsed.cacheCreationInputTokens !== undefined)
    model.cacheCreationInputTokens = parsed.cacheCreationInputTokens;
  const url = event.request?.url;
  if (typeof url === 'string') Object.assign(model, serverOf(url));

  const id = deriveActionId('tape-model', context.fingerprint, context.exchangeIndex);
  const startMs = Date.parse(context.invokedAt);
  const endIso = toIsoTime(startMs + (durationMs ?? 0));
  if (endIso === undefined) throw new RangeError('The stream ends outside years 0000–9999.');
  const draft: ActionTraceDraft = {
    id,
    runId: context.runId,
    kind: 'model_call',
    name: parser.capability,
    ...(context.principal !== undefined ? { principal: context.principal } : {}),
    invokedAt: context.invokedAt,
    ...(durationMs !== undefined ? { durationMs } : {}),
    status: error === undefined ? 'succeeded' : 'failed',
    ...(error !== undefined ? { error } : {}),
    ...(requestBody !== undefined ? { arguments: requestBody } : {}),
    ...(parsed.message !== undefined
      ? {
          result: parsed.message,
          resultFlags: {
            ...(parsed.contentBlocks !== undefined ? { contentBlocks: parsed.contentBlocks } : {}),
            toolCalls: parsed.toolCalls.length,
            streamed,
            incomplete,
          },
        }
      : {}),
    evidence: { tape: { fingerprint: context.fingerprint, exchangeIndex: context.exchangeIndex } },
    model,
  };
  return { draft, annotations: [], parsed, endIso, parser, exchangeIndex: context.exchangeIndex };
}
