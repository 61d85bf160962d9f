/**
 * The canonical byte encoding of a tape event — the bytes the fingerprint chains over and the
 * bytes stored for each event. `docs/tape-format.md` at the repository root specifies it byte for
 * byte. Bodies and chunks are not inlined: a record refers to each by its size and SHA-256 digest,
 * and the bytes themselves are stored once per digest.
 *
 * Encoding also validates: whatever cannot be encoded exactly is refused with TAPE_INVALID_EVENT
 * naming the field, so a tape never holds a value that would change on the way back.
 */

import type {
  Chunk,
  ExchangeEvent,
  ExchangeTiming,
  HeaderList,
  RecordedBody,
  RecordedError,
  RecordedRequest,
  RecordedResponse,
  StreamEnd,
  TapeEvent,
} from '@trace/spec';
import { sha256 } from '@trace/spec';
import { ByteWriter, plainBytes } from './bytes.js';
import { TapeError } from './errors.js';
import { deepFreeze } from './freeze.js';
import { jsonText, parseJson } from './json-text.js';
import {
  BODY_BYTES,
  BODY_NONE,
  BODY_STREAM,
  END_CANCELLED,
  END_COMPLETE,
  END_ERROR,
  EVENT_TAG,
  OUTCOME_ERROR,
  OUTCOME_RESPONSE,
  TRAILER_ISSUE_INDEX,
  TRAILER_REDIRECTED_TO,
  TRAILER_TIMING,
} from './record-tags.js';

/** A body or chunk referred to by an encoded record. */
export interface BlobRef {
  readonly digest: Buffer;
  readonly bytes: Uint8Array;
  /** True for a chunk of a streamed response body (a store may keep a stream's chunks together). */
  readonly stream?: true;
}

export interface EncodedEvent {
  /** The canonical record bytes. */
  readonly record: Uint8Array;
  /** The blobs the record refers to, in order of reference (repeats included). */
  readonly blobs: readonly BlobRef[];
  /** The event as it will read back: copied, normalised (-0 offsets become 0, JSON re-parsed), frozen. */
  readonly event: TapeEvent;
}

export interface EncodeOptions {
  /**
   * Copy every body and chunk, so later changes to the caller's buffers cannot reach the event.
   * An in-memory tape needs this; a recorder that writes the bytes out at once does not.
   */
  readonly copyBytes: boolean;
}

/**
 * Encodes an event. What it returns is built frozen as it is validated (a generic deep freeze
 * afterwards costs as much again as the validation), with JSON values frozen deeply.
 */
export function encodeEvent(event: TapeEvent, options: EncodeOptions): EncodedEvent {
  const w = new ByteWriter();
  const sink: BlobSink = { refs: [], copyBytes: options.copyBytes, digests: true };
  const normalised = encodeInto(w, sink, event);
  return { record: w.finish(), blobs: sink.refs, event: normalised };
}

/**
 * The event as `encodeEvent` would return it — validated, copied if asked, normalised, frozen —
 * without building its record or hashing its bodies: the cheap half of encoding, for a tape that
 * encodes later. It refuses exactly what `encodeEvent` refuses.
 */
export function normaliseEvent(event: TapeEvent, options: EncodeOptions): TapeEvent {
  const sink: BlobSink = { refs: [], copyBytes: options.copyBytes, digests: false };
  return encodeInto(NO_RECORD, sink, event);
}

/** The primitives a record is written with; `ByteWriter` writes them, `NO_RECORD` drops them. */
type RecordWriter = Omit<ByteWriter, 'finish'>;

const NO_RECORD: RecordWriter = {
  u8() {},
  u16() {},
  u32() {},
  u64() {},
  f64() {},
  raw() {},
  str() {},
};

/** Collects the blobs a record refers to while it is encoded. */
interface BlobSink {
  readonly refs: BlobRef[];
  readonly copyBytes: boolean;
  /** False when only validating: no digest is computed and no blob collected. */
  readonly digests: boolean;
}

function encodeInto(w: RecordWriter, blobs: BlobSink, event: TapeEvent): TapeEvent {
  if (!isObject(event)) invalid('event', 'must be an object');
  switch (event.type) {
    case 'draw': {
      w.u8(EVENT_TAG.draw);
      const kind = str(w, event.kind, 'event.kind');
      if (kind.length === 0) invalid('event.kind', 'must not be empty');
      let stream: string | undefined;
      if (event.stream === undefined) {
        w.u8(0);
      } else {
        w.u8(1);
        stream = str(w, event.stream, 'event.stream');
      }
      const value = json(w, event.value, 'event.value');
      return Object.freeze(
        stream === undefined
          ? { type: 'draw', kind, value }
          : { type: 'draw', kind, value, stream },
      );
    }
    case 'annotation': {
      w.u8(EVENT_TAG.annotation);
      return Object.freeze({ type: 'annotation', data: json(w, event.data, 'event.data') });
    }
    case 'exchange': {
      w.u8(EVENT_TAG.exchange);
      const request = encodeRequest(w, blobs, event.request);
      const hasResponse = event.response !== undefined;
      const hasError = event.error !== undefined;
      if (hasResponse === hasError) {
        invalid('event', 'an exchange must have exactly one of `response` and `error`');
      }
      if (hasResponse) {
        w.u8(OUTCOME_RESPONSE);
        const response = encodeResponse(w, blobs, event.response);
        const facts = encodeTrailer(w, event, response.redirectedTo);
        return Object.freeze({ type: 'exchange', request, response, ...facts });
      }
      w.u8(OUTCOME_ERROR);
      const error = encodeError(w, event.error, 'event.error');
      const facts = encodeTrailer(w, event, undefined);
      return Object.freeze({ type: 'exchange', request, error, ...facts });
    }
    default:
      invalid(
        'event.type',
        `is ${JSON.stringify((event as { type?: unknown }).type)}; expected "draw", "exchange" or "annotation"`,
      );
  }
}

function encodeRequest(
  w: RecordWriter,
  blobs: BlobSink,
  request: RecordedRequest,
): RecordedRequest {
  if (!isObject(request)) invalid('event.request', 'must be an object');
  const method = str(w, request.method, 'event.request.method');
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method))
    invalid('event.request.method', 'is not an HTTP method token');
  const url = str(w, request.url, 'event.request.url');
  const headers = headerList(w, request.headers, 'event.request.headers');
  let body: Uint8Array | null = null;
  if (request.body === null) {
    w.u8(0);
  } else {
    w.u8(1);
    body = blob(w, blobs, request.body, 'event.request.body');
  }
  return Object.freeze({ method, url, headers, body });
}

function encodeResponse(
  w: RecordWriter,
  blobs: BlobSink,
  response: RecordedResponse,
): RecordedResponse {
  if (!isObject(response)) invalid('event.response', 'must be an object');
  const { status } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    invalid('event.response.status', `is ${String(status)}; expected an integer from 100 to 599`);
  }
  w.u16(status);
  const statusText = str(w, response.statusText, 'event.response.statusText');
  const headers = headerList(w, response.headers, 'event.response.headers');
  const body = encodeBody(w, blobs, response.body);
  if (response.redirectedTo === undefined)
    return Object.freeze({ status, statusText, headers, body });
  // Validated here, where it belongs in the event; written in the exchange's trailer.
  const redirectedTo = wellFormed(response.redirectedTo, 'event.response.redirectedTo');
  return Object.freeze({ status, statusText, headers, body, redirectedTo });
}

/** The optional fields of an exchange, as they read back: only those present. */
type ExchangeFacts = Pick<ExchangeEvent, 'issueIndex' | 'timing'>;

const NO_FACTS: ExchangeFacts = Object.freeze({});

/** The largest `issueIndex` a record holds: it is written as a u32. */
const MAX_ISSUE_INDEX = 0xffff_ffff;

/**
 * Writes an exchange's trailer (section 3): each optional field present, in ascending tag order,
 * and nothing at all when none is, so such a record is what it was before the trailer existed.
 */
function encodeTrailer(
  w: RecordWriter,
  event: ExchangeEvent,
  redirectedTo: string | undefined,
): ExchangeFacts {
  if (event.issueIndex === undefined && event.timing === undefined) {
    if (redirectedTo !== undefined) writeRedirect(w, redirectedTo);
    return NO_FACTS;
  }
  const facts: { issueIndex?: number; timing?: ExchangeTiming } = {};
  if (event.issueIndex !== undefined) {
    w.u8(TRAILER_ISSUE_INDEX);
    facts.issueIndex = issueIndex(w, event.issueIndex);
  }
  if (event.timing !== undefined) {
    w.u8(TRAILER_TIMING);
    facts.timing = encodeTiming(w, event.timing);
  }
  if (redirectedTo !== undefined) writeRedirect(w, redirectedTo);
  return facts;
}

function writeRedirect(w: RecordWriter, redirectedTo: string): void {
  w.u8(TRAILER_REDIRECTED_TO);
  w.str(redirectedTo);
}

function issueIndex(w: RecordWriter, value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > MAX_ISSUE_INDEX
  ) {
    invalid(
      'event.issueIndex',
      `is ${describe(value)}; expected an integer from 0 to ${MAX_ISSUE_INDEX}`,
    );
  }
  const normalised = value === 0 ? 0 : value; // -0 and 0 encode alike
  w.u32(normalised);
  return normalised;
}

function encodeTiming(w: RecordWriter, timing: unknown): ExchangeTiming {
  if (!isObject(timing)) invalid('event.timing', `must be an object, not ${describe(timing)}`);
  const headersMs = offset(w, timing.headersMs, 'event.timing.headersMs');
  const endMs = offset(w, timing.endMs, 'event.timing.endMs');
  return Object.freeze({ headersMs, endMs });
}

function encodeBody(
  w: RecordWriter,
  blobs: BlobSink,
  body: RecordedBody | null,
): RecordedBody | null {
  if (body === null) {
    w.u8(BODY_NONE);
    return null;
  }
  if (!isObject(body)) invalid('event.response.body', 'must be null or an object');
  if (body.kind === 'bytes') {
    w.u8(BODY_BYTES);
    return Object.freeze({
      kind: 'bytes',
      bytes: blob(w, blobs, body.bytes, 'event.response.body.bytes'),
    });
  }
  if (body.kind !== 'stream') {
    invalid('event.response.body.kind', 'must be "bytes" or "stream"');
  }
  w.u8(BODY_STREAM);
  if (!Array.isArray(body.chunks)) invalid('event.response.body.chunks', 'must be an array');
  w.u32(body.chunks.length);
  const chunks: readonly Chunk[] = body.chunks.map((chunk: Chunk, i: number) => {
    const path = `event.response.body.chunks[${i}]`;
    if (!isObject(chunk)) invalid(path, 'must be an object');
    const offsetMs = offset(w, chunk.offsetMs, `${path}.offsetMs`);
    return Object.freeze({
      offsetMs,
      bytes: blob(w, blobs, chunk.bytes, `${path}.bytes`, true),
    });
  });
  Object.freeze(chunks);
  return Object.freeze({ kind: 'stream', chunks, end: encodeEnd(w, body.end) });
}

function encodeEnd(w: RecordWriter, end: StreamEnd): StreamEnd {
  const path = 'event.response.body.end';
  if (!isObject(end)) invalid(path, 'must be an object');
  switch (end.kind) {
    case 'complete':
      w.u8(END_COMPLETE);
      return Object.freeze({ kind: 'complete' });
    case 'cancelled':
      w.u8(END_CANCELLED);
      return Object.freeze({
        kind: 'cancelled',
        offsetMs: offset(w, end.offsetMs, `${path}.offsetMs`),
      });
    case 'error': {
      w.u8(END_ERROR);
      const offsetMs = offset(w, end.offsetMs, `${path}.offsetMs`);
      return Object.freeze({
        kind: 'error',
        offsetMs,
        error: encodeError(w, end.error, `${path}.error`),
      });
    }
    default:
      invalid(`${path}.kind`, 'must be "complete", "cancelled" or "error"');
  }
}

function encodeError(w: RecordWriter, error: RecordedError, path: string): RecordedError {
  if (!isObject(error)) invalid(path, 'must be an object');
  const name = str(w, error.name, `${path}.name`);
  const message = str(w, error.message, `${path}.message`);
  if (error.code === undefined) {
    w.u8(0);
    return Object.freeze({ name, message });
  }
  w.u8(1);
  return Object.freeze({ name, message, code: str(w, error.code, `${path}.code`) });
}

function headerList(w: RecordWriter, headers: HeaderList, path: string): HeaderList {
  if (!Array.isArray(headers)) invalid(path, 'must be an array of [name, value] pairs');
  w.u32(headers.length);
  const list = headers.map((pair: readonly [string, string], i: number) => {
    if (!Array.isArray(pair) || pair.length !== 2)
      invalid(`${path}[${i}]`, 'must be a [name, value] pair');
    return Object.freeze([
      str(w, pair[0], `${path}[${i}][0]`),
      str(w, pair[1], `${path}[${i}][1]`),
    ] as const);
  });
  return Object.freeze(list);
}

function str(w: RecordWriter, value: unknown, path: string): string {
  const text = wellFormed(value, path);
  w.str(text);
  return text;
}

function wellFormed(value: unknown, path: string): string {
  if (typeof value !== 'string') invalid(path, `must be a string, not ${describe(value)}`);
  if (!value.isWellFormed()) invalid(path, 'contains a lone surrogate, which UTF-8 cannot carry');
  return value;
}

function offset(w: RecordWriter, value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid(path, `is ${describe(value)}; expected a finite number of milliseconds, 0 or more`);
  }
  const normalised = value === 0 ? 0 : value; // -0 and 0 encode alike
  w.f64(normalised);
  return normalised;
}

function json(w: RecordWriter, value: unknown, path: string) {
  const text = jsonText(value, { path });
  w.str(text);
  return deepFreeze(parseJson(text));
}

function blob(
  w: RecordWriter,
  blobs: BlobSink,
  value: unknown,
  path: string,
  stream = false,
): Uint8Array {
  if (!(value instanceof Uint8Array)) invalid(path, `must be a Uint8Array, not ${describe(value)}`);
  const bytes = blobs.copyBytes ? new Uint8Array(value) : plainBytes(value);
  if (!blobs.digests) return bytes;
  const digest = sha256(bytes);
  w.u64(bytes.length);
  w.raw(digest);
  blobs.refs.push(stream ? { digest, bytes, stream } : { digest, bytes });
  return bytes;
}

function isObject(value: unknown): value is Record<string, never> {
  return typeof value === 'object' && value !== null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

function invalid(path: string, problem: string): never {
  throw new TapeError('TAPE_INVALID_EVENT', `${path} ${problem}.`, { details: { path } });
}
