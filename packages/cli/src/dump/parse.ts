/** Reading a tape dump back: `trace load`, and any command handed a dump instead of a store. */
import type { RecordedBody, RecordedRequest, RecordedResponse, TapeEvent } from '@trace/spec';
import { Tape, TapeError } from '@trace/tape';
import { CliError } from '../errors.js';
import { bytesOfForm } from './bytes.js';
import { DUMP_FORMAT_VERSION, type DumpHeader } from './format.js';

export interface ParsedDump {
  readonly header: DumpHeader;
  /** The tape the dump holds (always `complete` in memory: `header.complete` says what it was). */
  readonly tape: Tape;
  /** True when the events hash to the header's fingerprint. */
  readonly fingerprintMatches: boolean;
}

export interface ParseDumpOptions {
  /** Take a dump whose events no longer hash to its header's fingerprint (it was edited). */
  readonly allowEdited?: boolean;
}

/**
 * Parses a dump. Every bad line is CLI_DUMP_INVALID naming it; a dump whose events do not hash to
 * its stated fingerprint is CLI_DUMP_FINGERPRINT_MISMATCH unless `allowEdited`.
 */
export function parseDump(text: string, name: string, options: ParseDumpOptions = {}): ParsedDump {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = readHeader(lines[0], name);
  if (lines.length - 1 !== header.eventCount) {
    throw invalid(
      name,
      lines.length,
      `it holds ${lines.length - 1} events but its header says ${header.eventCount}: it was cut short or appended to`,
    );
  }
  let tape: Tape;
  try {
    tape = Tape.create({ id: header.id, metadata: header.metadata });
  } catch (error) {
    throw invalid(name, 1, `its header's id or metadata is not valid (${messageOf(error)})`, error);
  }
  for (let index = 1; index < lines.length; index++) {
    const event = readEvent(lines[index] as string, name, index + 1);
    try {
      tape.append(event, { copyBytes: false });
    } catch (error) {
      if (!TapeError.isInstance(error)) throw error;
      throw invalid(name, index + 1, `it is not a valid tape event: ${error.message}`, error);
    }
  }
  const fingerprintMatches = tape.fingerprint === header.fingerprint;
  if (!fingerprintMatches && options.allowEdited !== true) {
    throw new CliError(
      'CLI_DUMP_FINGERPRINT_MISMATCH',
      `The dump ${name} says its tape's fingerprint is ${header.fingerprint.slice(0, 12)}…, but its events hash to ${tape.fingerprint.slice(0, 12)}…: it was edited. Pass --allow-edited to take it as it is now.`,
      { details: { name, stated: header.fingerprint, computed: tape.fingerprint } },
    );
  }
  return { header, tape, fingerprintMatches };
}

function readHeader(line: string | undefined, name: string): DumpHeader {
  const header = parseLine(line ?? '', name, 1);
  if (header.trace !== 'tape-dump') {
    throw invalid(name, 1, 'it does not start with a tape dump header: is it a `trace dump` file?');
  }
  if (typeof header.version !== 'number' || header.version > DUMP_FORMAT_VERSION) {
    throw new CliError(
      'CLI_DUMP_VERSION_NEWER',
      `The dump ${name} is format version ${String(header.version)}; this trace reads version ${DUMP_FORMAT_VERSION}: upgrade @trace/cli.`,
      { details: { name, version: header.version } },
    );
  }
  if (
    typeof header.id !== 'string' ||
    typeof header.complete !== 'boolean' ||
    typeof header.fingerprint !== 'string' ||
    typeof header.eventCount !== 'number' ||
    typeof header.metadata !== 'object' ||
    header.metadata === null
  ) {
    throw invalid(name, 1, 'its header lacks id, complete, fingerprint, eventCount or metadata');
  }
  return header as unknown as DumpHeader;
}

function readEvent(line: string, name: string, lineNumber: number): TapeEvent {
  const form = parseLine(line, name, lineNumber);
  const bad = (what: string) => invalid(name, lineNumber, what);
  if (form.type === 'draw' || form.type === 'annotation') return form as unknown as TapeEvent;
  if (form.type !== 'exchange') throw bad('its `type` is not draw, exchange or annotation');
  const request = form.request as Record<string, unknown> | undefined;
  if (typeof request !== 'object' || request === null) throw bad('the exchange has no `request`');
  const recordedRequest: RecordedRequest = {
    ...(request as unknown as RecordedRequest),
    body:
      request.body === null
        ? null
        : bytesOf(request.body, () => bad('its request.body is not bytes (json, text or base64)')),
  };
  const { request: _request, response, ...rest } = form;
  if (response === undefined) {
    return { ...rest, request: recordedRequest } as unknown as TapeEvent;
  }
  const res = response as Record<string, unknown>;
  const recordedResponse = {
    ...res,
    body: responseBody(res.body, bad),
  } as unknown as RecordedResponse;
  return { ...rest, request: recordedRequest, response: recordedResponse } as TapeEvent;
}

function responseBody(body: unknown, bad: (what: string) => CliError): RecordedBody | null {
  if (body === null) return null;
  const form = body as Record<string, unknown>;
  if (form?.kind === 'bytes') {
    const { kind: _kind, ...bytes } = form;
    return {
      kind: 'bytes',
      bytes: bytesOf(bytes, () => bad('its response.body is not bytes (json, text or base64)')),
    };
  }
  if (form?.kind === 'stream' && Array.isArray(form.chunks)) {
    const chunks = form.chunks.map((chunk: Record<string, unknown>, index: number) => {
      const { offsetMs, ...bytes } = chunk ?? {};
      return {
        offsetMs: offsetMs as number,
        bytes: bytesOf(bytes, () =>
          bad(`its response.body.chunks[${index}] is not bytes (json, text or base64)`),
        ),
      };
    });
    return { kind: 'stream', chunks, end: form.end } as RecordedBody;
  }
  throw bad('`response.body` is neither null, bytes nor a stream');
}

function bytesOf(form: unknown, bad: () => CliError): Uint8Array {
  const bytes = bytesOfForm(form);
  if (bytes === undefined) throw bad();
  return bytes;
}

function parseLine(line: string, name: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw invalid(name, lineNumber, 'it is not a line of JSON', error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(name, lineNumber, 'it is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function invalid(name: string, line: number, why: string, cause?: unknown): CliError {
  return new CliError(
    'CLI_DUMP_INVALID',
    `Line ${line} of the dump ${name} cannot be read: ${why}.`,
    { details: { name, line }, ...(cause === undefined ? {} : { cause }) },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
