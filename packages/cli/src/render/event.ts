/** The readable timeline `trace show` prints: one block per event. */
import type { Chunk, ExchangeEvent, HeaderList, RecordedBody, TapeEvent } from '@trace/spec';
import { bytesForm, utf8Text } from '../dump/bytes.js';
import type { Colors } from '../io.js';
import { formatBytes, formatMs, indent } from './format.js';
import { type Reassembled, reassemble, usageOf } from './reassemble.js';

export interface ShowOptions {
  /** Stream chunks with their offsets instead of the reassembled message. */
  readonly raw: boolean;
  readonly headers: boolean;
  /** One line per event, without bodies. */
  readonly brief: boolean;
  readonly colors: Colors;
}

/** Where an exchange is: its position among the tape's exchanges (tape order). */
export interface ExchangePosition {
  readonly index: number;
}

/** The lines of one event. */
export function eventLines(
  seq: number,
  event: TapeEvent,
  position: ExchangePosition | undefined,
  options: ShowOptions,
): string[] {
  const c = options.colors;
  const tag = c.dim(`#${seq}`);
  switch (event.type) {
    case 'draw': {
      const stream = event.stream === undefined ? '' : c.dim(` [${event.stream}]`);
      return [`${tag} ${c.cyan('draw')} ${event.kind}${stream} ${JSON.stringify(event.value)}`];
    }
    case 'annotation':
      return [`${tag} ${c.magenta('annotation')} ${JSON.stringify(event.data)}`];
    case 'exchange':
      return exchangeLines(tag, event, position?.index ?? 0, options);
  }
}

function exchangeLines(
  tag: string,
  event: ExchangeEvent,
  index: number,
  options: ShowOptions,
): string[] {
  const c = options.colors;
  const { request, response } = event;
  const body = response?.body;
  const assembled =
    body?.kind === 'stream' && !options.raw ? reassembleBody(body.chunks) : undefined;
  const message = assembled?.message ?? (body?.kind === 'bytes' ? jsonOf(body.bytes) : undefined);
  const facts: string[] = [];
  if (event.issueIndex !== undefined && event.issueIndex !== index)
    facts.push(`issued #${event.issueIndex}`);
  if (event.timing !== undefined)
    facts.push(`head ${formatMs(event.timing.headersMs)}, end ${formatMs(event.timing.endMs)}`);
  const usage = usageOf(message);
  if (usage !== undefined) facts.push(usage);
  const outcome =
    response === undefined
      ? c.red(
          `✗ ${event.error.name}: ${event.error.message}${event.error.code ? ` (${event.error.code})` : ''}`,
        )
      : `→ ${statusColor(response.status, c)(`${response.status}${response.statusText ? ` ${response.statusText}` : ''}`)}`;
  const head = `${tag} ${c.bold(`exchange ${index}`)} ${request.method} ${request.url} ${outcome}${
    facts.length > 0 ? c.dim(` · ${facts.join(' · ')}`) : ''
  }`;
  const lines = [head];
  if (response?.redirectedTo !== undefined)
    lines.push(`    redirected to ${response.redirectedTo}`);
  if (options.brief) return lines;
  if (options.headers) lines.push(...headerLines('request headers', request.headers, c));
  if (request.body !== null) lines.push(...bytesLines('request body', request.body, c));
  if (response === undefined) return lines;
  if (options.headers) lines.push(...headerLines('response headers', response.headers, c));
  lines.push(...responseBodyLines(response.body, assembled, options));
  return lines;
}

function responseBodyLines(
  body: RecordedBody | null,
  assembled: Reassembled | undefined,
  options: ShowOptions,
): string[] {
  const c = options.colors;
  if (body === null) return [`    ${c.dim('response: no body')}`];
  if (body.kind === 'bytes') return bytesLines('response body', body.bytes, c);
  const end = endPhrase(body);
  if (assembled !== undefined) {
    const what =
      assembled.provider === 'anthropic' ? 'Anthropic message' : 'OpenAI chat completion';
    return [
      `    ${c.dim(`response: ${what}, reassembled from ${body.chunks.length} chunks, ${end}`)}`,
      indent(JSON.stringify(assembled.message, null, 2), '      '),
    ];
  }
  const lines = [`    ${c.dim(`response: stream of ${body.chunks.length} chunks, ${end}`)}`];
  for (const chunk of body.chunks) lines.push(chunkLine(chunk, options.colors));
  return lines;
}

function chunkLine(chunk: Chunk, c: Colors): string {
  const text = utf8Text(chunk.bytes);
  const shown =
    text === undefined
      ? `base64 ${Buffer.from(chunk.bytes).toString('base64')}`
      : JSON.stringify(text);
  return `      ${c.dim(`+${formatMs(chunk.offsetMs)}`)} ${shown}`;
}

function endPhrase(body: Extract<RecordedBody, { kind: 'stream' }>): string {
  const { end } = body;
  if (end.kind === 'complete') return 'complete';
  if (end.kind === 'cancelled') return `cancelled at ${formatMs(end.offsetMs)}`;
  return `failed at ${formatMs(end.offsetMs)}: ${end.error.name}: ${end.error.message}`;
}

function reassembleBody(chunks: readonly Chunk[]): Reassembled | undefined {
  const text = utf8Text(Buffer.concat(chunks.map((chunk) => chunk.bytes)));
  return text === undefined ? undefined : reassemble(text);
}

function headerLines(title: string, headers: HeaderList, c: Colors): string[] {
  return [`    ${c.dim(title)}`, ...headers.map(([name, value]) => `      ${name}: ${value}`)];
}

function bytesLines(title: string, bytes: Uint8Array, c: Colors): string[] {
  if (bytes.length === 0) return [`    ${c.dim(`${title}: empty`)}`];
  const json = jsonOf(bytes);
  if (json !== undefined) {
    return [`    ${c.dim(`${title} (JSON)`)}`, indent(JSON.stringify(json, null, 2), '      ')];
  }
  const form = bytesForm(bytes);
  if ('text' in form) return [`    ${c.dim(`${title} (text)`)}`, indent(form.text, '      ')];
  return [
    `    ${c.dim(`${title} (${formatBytes(bytes.length)}, base64)`)}`,
    `      ${Buffer.from(bytes).toString('base64')}`,
  ];
}

/** The JSON value of a body that is JSON text (any JSON text, pretty or compact). */
export function jsonOf(bytes: Uint8Array): unknown {
  const text = utf8Text(bytes);
  const first = text?.trimStart()[0];
  if (text === undefined || (first !== '{' && first !== '[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function statusColor(status: number, c: Colors): (text: string) => string {
  if (status >= 500) return c.red;
  if (status >= 400) return c.yellow;
  return c.green;
}

/** The reassembled message of a streamed exchange, for `--json`. */
export function reassembledOf(event: ExchangeEvent): Reassembled | undefined {
  const body = event.response?.body;
  return body?.kind === 'stream' ? reassembleBody(body.chunks) : undefined;
}
