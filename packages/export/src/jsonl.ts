import type { Writable } from 'node:stream';
import { ACTION_TRACE_SCHEMA, ACTION_TRACE_VERSION, type ActionTrace } from './contract.js';
import type { ActionTraceDraft } from './draft.js';
import { ExportError, ExportErrorCode } from './errors.js';
import { createTraceExporter, type ExportOptions } from './export.js';
import { checkHeader } from './read.js';
import { checkTrace } from './validate.js';

/** The first line of every JSONL export: what the following lines are. */
export interface JsonlHeader {
  readonly schema: typeof ACTION_TRACE_SCHEMA;
  readonly version: typeof ACTION_TRACE_VERSION;
  readonly format: 'jsonl';
}

/** What a JSONL write produced. */
export interface JsonlWriteResult {
  readonly traces: number;
  readonly bytes: number;
}

/** Lines are gathered into chunks of about this size before each write. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Exports drafts as JSONL, one line at a time: a header line, then one trace per line, each
 * ending in `\n`. Memory stays bounded by one trace, whatever the number of drafts, as long as
 * the caller consumes the lines as they come.
 */
export async function* exportJsonl(
  drafts: Iterable<ActionTraceDraft> | AsyncIterable<ActionTraceDraft>,
  options: ExportOptions = {},
): AsyncGenerator<string, void, undefined> {
  const exporter = createTraceExporter(options);
  const header: JsonlHeader = {
    schema: ACTION_TRACE_SCHEMA,
    version: ACTION_TRACE_VERSION,
    format: 'jsonl',
  };
  yield `${JSON.stringify(header)}\n`;
  let index = 0;
  for await (const draft of drafts) {
    yield `${JSON.stringify(exporter.trace(draft, index++))}\n`;
  }
}

function writeFailed(cause: unknown, traces: number): ExportError {
  return new ExportError(
    ExportErrorCode.WRITE_FAILED,
    `The JSONL destination failed or closed after ${traces} traces: check the file or the reading process, then export again.`,
    { cause, details: { traces } },
  );
}

/**
 * Writes a JSONL export to a stream (a file, a socket, a child's stdin), waiting for the stream
 * to drain whenever it asks, so a slow destination never makes memory grow. A destination that
 * errors or closes part-way rejects with `EXPORT_WRITE_FAILED` instead of hanging or crashing.
 * Does not end the stream.
 */
export async function writeJsonl(
  drafts: Iterable<ActionTraceDraft> | AsyncIterable<ActionTraceDraft>,
  destination: Writable,
  options: ExportOptions = {},
): Promise<JsonlWriteResult> {
  let pending = '';
  let pendingLines = 0;
  let bytes = 0;
  let lines = 0;
  // Lines (header included) whose write the destination confirmed. A failure reports these, not
  // the lines generated: a caller resuming from `details.traces` must not skip unwritten traces.
  let accepted = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  // Listen for the whole write: an error between two writes must not go unhandled.
  const onError = (error: Error): void => {
    failure ??= error;
    wake?.();
  };
  const onClose = (): void => {
    failure ??= new Error('The destination closed before the export finished.');
    wake?.();
  };
  const onDrain = (): void => wake?.();
  destination.on('error', onError);
  destination.on('close', onClose);
  destination.on('drain', onDrain);
  const check = (): void => {
    if (failure !== undefined) throw writeFailed(failure, Math.max(0, accepted - 1));
    if (destination.destroyed || destination.writableEnded) {
      throw writeFailed(
        new Error('The destination was already closed.'),
        Math.max(0, accepted - 1),
      );
    }
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    check();
    const chunk = pending;
    const chunkLines = pendingLines;
    pending = '';
    pendingLines = 0;
    bytes += Buffer.byteLength(chunk);
    const written = destination.write(chunk, (error) => {
      if (error === undefined || error === null) accepted += chunkLines;
    });
    if (!written) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (failure !== undefined) resolve();
      });
      wake = undefined;
      if (failure !== undefined) check();
    }
  };
  try {
    for await (const line of exportJsonl(drafts, options)) {
      pending += line;
      pendingLines++;
      lines++;
      if (pending.length >= CHUNK_CHARS) await flush();
    }
    await flush();
    check();
  } finally {
    destination.off('error', onError);
    destination.off('close', onClose);
    destination.off('drain', onDrain);
  }
  return { traces: lines - 1, bytes };
}

/**
 * Reads a JSONL export back, trace by trace, from any source of text or bytes (a file stream,
 * an HTTP body). Checks the header first: a newer contract version is refused with
 * `EXPORT_VERSION_UNSUPPORTED`, anything else with `EXPORT_NOT_AN_EXPORT`.
 */
export async function* readJsonl(
  source: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
): AsyncGenerator<ActionTrace, void, undefined> {
  const decoder = new TextDecoder();
  let buffered = '';
  let lineNo = 0;
  let sawHeader = false;
  const parseLine = (line: string): ActionTrace | undefined => {
    lineNo++;
    if (line.trim().length === 0) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new ExportError(
        ExportErrorCode.NOT_AN_EXPORT,
        `Line ${lineNo} of the JSONL export is not JSON: the file is damaged or not an export.`,
        { cause, details: { line: lineNo } },
      );
    }
    if (!sawHeader) {
      checkHeader(value, 'JSONL header');
      if ((value as { format?: unknown }).format !== 'jsonl') {
        // A one-line envelope passes the schema and version checks: reading it as a header would
        // drop its traces without a word.
        throw new ExportError(
          ExportErrorCode.NOT_AN_EXPORT,
          'The first line is not a JSONL export header (its "format" is not "jsonl"): read an envelope with readActionTraceEnvelope.',
          { details: { line: lineNo } },
        );
      }
      sawHeader = true;
      return undefined;
    }
    // Each line is a trace in the contract's shape, as in an envelope; `index` counts traces.
    checkTrace(value, lineNo - 2);
    return value as ActionTrace;
  };
  for await (const chunk of source) {
    buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const trace = parseLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (trace !== undefined) yield trace;
      newline = buffered.indexOf('\n');
    }
  }
  buffered += decoder.decode();
  const last = parseLine(buffered);
  if (last !== undefined) yield last;
  if (!sawHeader) {
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      'The JSONL source is empty: an export starts with a header line.',
    );
  }
}
