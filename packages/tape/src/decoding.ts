/**
 * Decoding a stored record back into its event. The bytes a record refers to by digest come from
 * a `BlobResolver`, so that one decoder serves a store that looks each blob up and a reader that
 * has every blob of a tape in hand; streamed bodies are handed to the resolver whole, so that it
 * can keep their chunks compactly instead of as one object per chunk.
 *
 * What is returned is built frozen, as `encodeEvent` builds what it returns.
 */

import type {
  Chunk,
  ExchangeTiming,
  HeaderList,
  RecordedBody,
  RecordedError,
  RecordedRequest,
  RecordedResponse,
  StreamEnd,
  TapeEvent,
} from '@trace/spec';
import { ByteReader, MalformedRecord, plainBytes } from './bytes.js';
import { deepFreeze } from './freeze.js';
import { parseJson } from './json-text.js';
import {
  BODY_BYTES,
  BODY_NONE,
  BODY_STREAM,
  CHUNK_REF_SIZE,
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

/** Where a streamed body's chunk references stand in its record: `CHUNK_REF_SIZE` bytes each. */
export class ChunkRefs {
  readonly count: number;
  readonly #view: Buffer;
  readonly #at: number;

  constructor(view: Buffer, at: number, count: number) {
    this.#view = view;
    this.#at = at;
    this.count = count;
  }

  offsetMs(i: number): number {
    return this.#view.readDoubleBE(this.#at + i * CHUNK_REF_SIZE);
  }

  size(i: number): number {
    return safeSize(this.#view.readBigUInt64BE(this.#at + i * CHUNK_REF_SIZE + 8));
  }

  digest(i: number): Buffer {
    const at = this.digestAt(i);
    return this.#view.subarray(at, at + 32);
  }

  /** Where in `buffer` the digest of chunk `i` starts: for reading it without a copy. */
  digestAt(i: number): number {
    return this.#at + i * CHUNK_REF_SIZE + 16;
  }

  /** The record's bytes. */
  get buffer(): Buffer {
    return this.#view;
  }
}

/** Supplies the bytes a record refers to while it is decoded. */
export interface BlobResolver {
  /** The bytes stored under `digest`; throws `MissingBlob` when there are none. */
  bytes(digest: Buffer, size: number): Uint8Array;
  /** A streamed body: its chunks from `refs`, and its end. */
  stream(refs: ChunkRefs, end: StreamEnd): RecordedBody;
}

/** Looks a blob up by digest; returns undefined when the store lacks it. */
export type BlobLookup = (digest: Buffer, size: number) => Uint8Array | undefined;

/** A resolver that looks each blob up as it is met and builds every chunk at once. */
export function lookupResolver(lookup: BlobLookup): BlobResolver {
  const bytes = (digest: Buffer, size: number): Uint8Array => {
    const found = lookup(digest, size);
    if (found === undefined) throw new MissingBlob(Buffer.from(digest));
    return plainBytes(found);
  };
  return {
    bytes,
    stream(refs, end) {
      const chunks: Chunk[] = [];
      for (let i = 0; i < refs.count; i++) {
        const offsetMs = refs.offsetMs(i);
        chunks.push(Object.freeze({ offsetMs, bytes: bytes(refs.digest(i), refs.size(i)) }));
      }
      return Object.freeze({ kind: 'stream', chunks: Object.freeze(chunks), end });
    },
  };
}

/** Why a stored record could not be decoded. */
export class UndecodableRecord extends Error {}

/** A record refers to a blob the store does not hold. */
export class MissingBlob extends Error {
  constructor(
    readonly digest: Buffer,
    why = 'the store does not hold it',
  ) {
    super(`blob ${digest.toString('hex')} is missing: ${why}`);
  }
}

/** Decodes a record written by `encodeEvent`, fetching its blobs through `lookup`. */
export function decodeRecord(record: Uint8Array, lookup: BlobLookup): TapeEvent {
  return decodeWith(record, lookupResolver(lookup));
}

/**
 * Decodes a record, its blobs supplied by `blobs`. Throws `UndecodableRecord` for bytes that are
 * not a record, and whatever the resolver throws (`MissingBlob`) for a blob it cannot supply.
 */
export function decodeWith(record: Uint8Array, blobs: BlobResolver): TapeEvent {
  try {
    const r = new ByteReader(record);
    const event = decodeEvent(r, blobs);
    if (!r.atEnd()) throw new UndecodableRecord('record has trailing bytes');
    return event;
  } catch (error) {
    if (error instanceof MalformedRecord) throw new UndecodableRecord(error.message);
    if (error instanceof SyntaxError)
      throw new UndecodableRecord(`stored JSON does not parse: ${error.message}`);
    throw error;
  }
}

/** The digests a record refers to, in order of reference (repeats included). */
/** A blob as a record names it: its digest and size. */
export interface BlobShape {
  readonly digest: Buffer;
  readonly size: number;
}

/**
 * The blobs a record names, told apart: its bodies (a request's, a whole response's), and the
 * chunks of its streamed response body in order (absent when it has none).
 */
export function blobLayoutOf(record: Uint8Array): {
  readonly bodies: readonly BlobShape[];
  readonly stream: readonly BlobShape[] | undefined;
} {
  const bodies: BlobShape[] = [];
  let stream: BlobShape[] | undefined;
  const empty = new Uint8Array(0);
  decodeWith(record, {
    bytes(digest, size) {
      bodies.push({ digest: Buffer.from(digest), size });
      return empty;
    },
    stream(refs, end) {
      stream = [];
      for (let i = 0; i < refs.count; i++)
        stream.push({ digest: Buffer.from(refs.digest(i)), size: refs.size(i) });
      return { kind: 'stream', chunks: [], end };
    },
  });
  return { bodies, stream };
}

export function blobDigestsOf(record: Uint8Array): Buffer[] {
  const digests: Buffer[] = [];
  const empty = new Uint8Array(0);
  decodeWith(record, {
    bytes(digest) {
      digests.push(Buffer.from(digest));
      return empty;
    },
    stream(refs, end) {
      for (let i = 0; i < refs.count; i++) digests.push(Buffer.from(refs.digest(i)));
      return { kind: 'stream', chunks: [], end };
    },
  });
  return digests;
}

function decodeEvent(r: ByteReader, blobs: BlobResolver): TapeEvent {
  const tag = r.u8();
  switch (tag) {
    case EVENT_TAG.draw: {
      const kind = r.str();
      const stream = flag(r) ? r.str() : undefined;
      const value = deepFreeze(parseJson(r.str()));
      return Object.freeze(
        stream === undefined
          ? { type: 'draw', kind, value }
          : { type: 'draw', kind, value, stream },
      );
    }
    case EVENT_TAG.annotation:
      return Object.freeze({ type: 'annotation', data: deepFreeze(parseJson(r.str())) });
    case EVENT_TAG.exchange: {
      const request: RecordedRequest = Object.freeze({
        method: r.str(),
        url: r.str(),
        headers: readHeaders(r),
        body: flag(r) ? readBlob(r, blobs) : null,
      });
      const outcome = r.u8();
      if (outcome === OUTCOME_RESPONSE) {
        let response = readResponse(r, blobs);
        if (r.atEnd()) return Object.freeze({ type: 'exchange', request, response });
        const { redirectedTo, ...facts } = readTrailer(r, true);
        if (redirectedTo !== undefined) response = Object.freeze({ ...response, redirectedTo });
        return Object.freeze({ type: 'exchange', request, response, ...facts });
      }
      if (outcome === OUTCOME_ERROR) {
        const error = readError(r);
        if (r.atEnd()) return Object.freeze({ type: 'exchange', request, error });
        return Object.freeze({ type: 'exchange', request, error, ...readTrailer(r, false) });
      }
      throw new UndecodableRecord(`unknown exchange outcome ${outcome}`);
    }
    default:
      throw new UndecodableRecord(`unknown event tag ${tag}`);
  }
}

interface Trailer {
  issueIndex?: number;
  timing?: ExchangeTiming;
  redirectedTo?: string;
}

/**
 * The optional fields after an exchange's outcome, up to the record's end: each at most once, in
 * ascending tag order, `redirectedTo` only after a response. Anything else is not a record.
 */
function readTrailer(r: ByteReader, afterResponse: boolean): Trailer {
  const trailer: Trailer = {};
  let last = 0;
  while (!r.atEnd()) {
    const tag = r.u8();
    if (tag <= last) {
      throw new UndecodableRecord(`exchange trailer field ${tag} is repeated or out of order`);
    }
    last = tag;
    if (tag === TRAILER_ISSUE_INDEX) {
      trailer.issueIndex = r.u32();
    } else if (tag === TRAILER_TIMING) {
      trailer.timing = Object.freeze({ headersMs: readMs(r), endMs: readMs(r) });
    } else if (tag === TRAILER_REDIRECTED_TO && afterResponse) {
      trailer.redirectedTo = r.str();
    } else if (tag === TRAILER_REDIRECTED_TO) {
      throw new UndecodableRecord('exchange trailer has a redirect after an error outcome');
    } else {
      throw new UndecodableRecord(`unknown exchange trailer field ${tag}`);
    }
  }
  return trailer;
}

/** A trailer's milliseconds, refused unless the encoder could have written them: finite, ≥ 0, not -0. */
function readMs(r: ByteReader): number {
  const value = r.f64();
  if (!(value >= 0) || value === Number.POSITIVE_INFINITY || Object.is(value, -0)) {
    throw new UndecodableRecord(`exchange timing ${value} is not a number of milliseconds`);
  }
  return value;
}

function readResponse(r: ByteReader, blobs: BlobResolver): RecordedResponse {
  const status = r.u16();
  const statusText = r.str();
  const headers = readHeaders(r);
  const bodyTag = r.u8();
  let body: RecordedBody | null;
  if (bodyTag === BODY_NONE) {
    body = null;
  } else if (bodyTag === BODY_BYTES) {
    body = Object.freeze({ kind: 'bytes', bytes: readBlob(r, blobs) });
  } else if (bodyTag === BODY_STREAM) {
    const count = r.u32();
    const refs = new ChunkRefs(r.buffer, r.skip(count * CHUNK_REF_SIZE), count);
    body = blobs.stream(refs, readEnd(r));
  } else {
    throw new UndecodableRecord(`unknown body tag ${bodyTag}`);
  }
  return Object.freeze({ status, statusText, headers, body });
}

function readEnd(r: ByteReader): StreamEnd {
  const tag = r.u8();
  if (tag === END_COMPLETE) return Object.freeze({ kind: 'complete' });
  if (tag === END_CANCELLED) return Object.freeze({ kind: 'cancelled', offsetMs: r.f64() });
  if (tag === END_ERROR)
    return Object.freeze({ kind: 'error', offsetMs: r.f64(), error: readError(r) });
  throw new UndecodableRecord(`unknown stream end ${tag}`);
}

function readError(r: ByteReader): RecordedError {
  const name = r.str();
  const message = r.str();
  return Object.freeze(flag(r) ? { name, message, code: r.str() } : { name, message });
}

function readHeaders(r: ByteReader): HeaderList {
  const count = r.u32();
  const headers: (readonly [string, string])[] = [];
  for (let i = 0; i < count; i++) headers.push(Object.freeze([r.str(), r.str()] as const));
  return Object.freeze(headers);
}

function readBlob(r: ByteReader, blobs: BlobResolver): Uint8Array {
  const size = r.u64();
  return blobs.bytes(r.raw(32), size);
}

function flag(r: ByteReader): boolean {
  const value = r.u8();
  if (value > 1) throw new UndecodableRecord(`flag byte is ${value}`);
  return value === 1;
}

function safeSize(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedRecord('size out of range');
  return Number(value);
}
