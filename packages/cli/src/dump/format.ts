/**
 * The text form of a tape (`trace dump`, `trace load`): JSON Lines. The first line is a header
 * (format, version, id, whether the tape is complete, its fingerprint, event count and metadata);
 * then one line per event, in tape order, with every body and chunk in a `BytesForm`. Stable:
 * the same tape always dumps to the same text, so a dump reads well in a pull request's diff.
 */
import type { Chunk, RecordedBody, TapeEvent, TapeMetadata } from '@trace/spec';
import { type BytesForm, bytesForm } from './bytes.js';

/** The version of the dump format this package writes and reads. */
export const DUMP_FORMAT_VERSION = 1;

export interface DumpHeader {
  readonly trace: 'tape-dump';
  readonly version: number;
  readonly id: string;
  readonly complete: boolean;
  readonly fingerprint: string;
  readonly eventCount: number;
  readonly metadata: TapeMetadata;
}

/** What `dumpLines` needs of a tape: a `Tape` is one. */
export interface DumpableTape {
  readonly id: string;
  readonly complete: boolean;
  readonly fingerprint: string;
  readonly metadata: TapeMetadata;
  readonly events: readonly TapeEvent[];
}

/** The dump of a tape, line by line (without line ends). */
export function* dumpLines(tape: DumpableTape): Generator<string> {
  const header: DumpHeader = {
    trace: 'tape-dump',
    version: DUMP_FORMAT_VERSION,
    id: tape.id,
    complete: tape.complete,
    fingerprint: tape.fingerprint,
    eventCount: tape.events.length,
    metadata: tape.metadata,
  };
  yield JSON.stringify(header);
  for (const event of tape.events) yield JSON.stringify(eventForm(event));
}

/** The dump of a tape as one string, each line ended by `\n`. */
export function dumpTape(tape: DumpableTape): string {
  let text = '';
  for (const line of dumpLines(tape)) text += `${line}\n`;
  return text;
}

/**
 * An event as plain JSON, its bytes in readable forms. Members are written in a fixed order, and
 * optional ones only when present, so equal events give equal text.
 */
export function eventForm(event: TapeEvent): Record<string, unknown> {
  switch (event.type) {
    case 'draw':
      return {
        type: 'draw',
        kind: event.kind,
        value: event.value,
        ...(event.stream === undefined ? {} : { stream: event.stream }),
      };
    case 'annotation':
      return { type: 'annotation', data: event.data };
    case 'exchange': {
      const { request } = event;
      return {
        type: 'exchange',
        ...(event.issueIndex === undefined ? {} : { issueIndex: event.issueIndex }),
        ...(event.timing === undefined
          ? {}
          : { timing: { headersMs: event.timing.headersMs, endMs: event.timing.endMs } }),
        request: {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: request.body === null ? null : bytesForm(request.body),
        },
        ...(event.response === undefined
          ? { error: event.error }
          : {
              response: {
                status: event.response.status,
                statusText: event.response.statusText,
                headers: event.response.headers,
                body: bodyForm(event.response.body),
                ...(event.response.redirectedTo === undefined
                  ? {}
                  : { redirectedTo: event.response.redirectedTo }),
              },
            }),
      };
    }
  }
}

function bodyForm(body: RecordedBody | null): unknown {
  if (body === null) return null;
  if (body.kind === 'bytes') return { kind: 'bytes', ...bytesForm(body.bytes) };
  return { kind: 'stream', chunks: body.chunks.map(chunkForm), end: body.end };
}

function chunkForm(chunk: Chunk): { offsetMs: number } & BytesForm {
  return { offsetMs: chunk.offsetMs, ...bytesForm(chunk.bytes) };
}
