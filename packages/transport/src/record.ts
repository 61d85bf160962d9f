/**
 * Record mode: forward each request to the real fetch and append the whole exchange to a tape,
 * in recorded form (see recorded-form.ts): the caller gets the live response untouched, the tape
 * what the redactor leaves of it. Streamed bodies reach the caller chunk by chunk as they arrive;
 * each chunk is kept with its arrival offset, and the exchange is appended when the stream ends,
 * is cancelled, or fails — its chunks redacted together, so a secret split across them is found.
 */
import {
  type Chunk,
  outsideScopes,
  type RecordedError,
  type StreamEnd,
  type TapeEvent,
} from '@trace/spec';
import { AppendQueue, type TapeAppendOptions, type TapeSink } from '@trace/tape';
import { TransportError } from './errors.js';
import { Redaction, type RedactOptions } from './recorded-form.js';
import { type FetchInput, forward, snapshotRequest } from './request.js';
import { bufferedResponse, buildResponse, isStreamed } from './response.js';

export interface RecordOptions extends RedactOptions {
  /** Where exchanges go. */
  readonly sink: TapeSink;
  /** The fetch that reaches the network. Default: `globalThis.fetch`, looked up at each call. */
  readonly fetch?: typeof fetch;
  /** Which responses keep their chunk boundaries. Default: server-sent events and NDJSON. */
  readonly isStream?: (response: Response) => boolean;
}

export interface RecordingFetch {
  /** Pass this as the `fetch` option of an SDK client. */
  readonly fetch: typeof fetch;
  /** Exchanges appended so far. */
  readonly recorded: number;
  /** Resolves once every response handed out so far has ended and been appended. */
  settled(): Promise<void>;
  /**
   * Cancels any response body nobody finished reading (recording it as cancelled), waits for
   * every exchange to be appended, and rethrows the first failure to append
   * (TRANSPORT_RECORD_FAILED).
   */
  close(): Promise<void>;
}

export function recordFetch(options: RecordOptions): RecordingFetch {
  return startRecording(options, Redaction.compile(options));
}

/** `recordFetch` with the redaction its transport compiled (once, for replay too). */
export function startRecording(options: RecordOptions, redaction: Redaction): RecordingFetch {
  const pending = new Set<PendingStream>();
  let failure: TransportError | undefined;
  const isStream = options.isStream ?? isStreamed;
  // Every body the transport records is a buffer it made and never changes — unless a redaction
  // hook returned one the user may still hold.
  const appendOptions: TapeAppendOptions = { copyBytes: redaction.hasBodyHooks };
  const appends = new AppendQueue(options.sink, appendOptions, (event, cause) => {
    const error = new TransportError(
      'TRANSPORT_RECORD_FAILED',
      `An exchange with ${event.type === 'exchange' ? event.request.url : 'the server'} could not be written to the tape, so the recording is incomplete: ${(cause as Error).message}`,
      { cause },
    );
    failure ??= error;
    return error;
  });
  const append = (event: TapeEvent): void => appends.append(event);

  // The transport's own work (the fetch beneath it, its clock, reading a body the caller pulls)
  // runs outside every scope: inside a run's scope its reads would be drawn as the agent's.
  const recordingFetch = (input: FetchInput, init?: RequestInit): Promise<Response> =>
    outsideScopes(() => record(input, init));

  const record = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const taken = snapshotRequest(input, init);
    const snapshot = taken instanceof Promise ? await taken : taken;
    const request = redaction.request(snapshot);
    // What a failure says, as recorded: its message may quote the URL (fetch refuses one with
    // user info by quoting it whole) or a secret.
    const scrub = (error: RecordedError) => redaction.error(error, snapshot.url, request.url);
    const failed = (error: unknown) => scrub(describeError(error));
    const started = performance.now();
    const inner = options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await forward(inner, snapshot, input, init);
    } catch (error) {
      append({ type: 'exchange', request, error: failed(error) });
      throw error;
    }
    const head = {
      status: response.status,
      statusText: redaction.text(response.statusText),
      headers: redaction.headers(response.headers),
    };
    // The caller gets the live response as it came.
    const live = {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      url: response.url || snapshot.url,
    };
    const contentType = response.headers.get('content-type');

    if (response.body === null) {
      append({ type: 'exchange', request, response: { ...head, body: null } });
      return buildResponse(null, live);
    }
    if (!isStream(response)) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        append({
          type: 'exchange',
          request,
          response: {
            ...head,
            body: {
              kind: 'stream',
              chunks: [],
              end: {
                kind: 'error',
                offsetMs: performance.now() - started,
                error: failed(error),
              },
            },
          },
        });
        throw error;
      }
      append({
        type: 'exchange',
        request,
        response: {
          ...head,
          body: { kind: 'bytes', bytes: redaction.responseBody(bytes, contentType, request) },
        },
      });
      return bufferedResponse(bytes, live);
    }
    const stream = new PendingStream(response.body, started, (chunks, end) => {
      pending.delete(stream);
      append({
        type: 'exchange',
        request,
        response: {
          ...head,
          body: {
            kind: 'stream',
            chunks: redaction.stream(chunks, contentType),
            end: end.kind === 'error' ? { ...end, error: scrub(end.error) } : end,
          },
        },
      });
    });
    pending.add(stream);
    return buildResponse(stream.readable, live);
  };

  return {
    fetch: recordingFetch as typeof fetch,
    get recorded() {
      return appends.recorded;
    },
    async settled() {
      await Promise.allSettled([...pending].map((stream) => stream.done));
      await appends.drained();
    },
    async close() {
      await Promise.allSettled([...pending].map((stream) => stream.abandon()));
      await appends.drained();
      if (failure !== undefined) throw failure;
    },
  };
}

/**
 * A response body passed through to the caller as it arrives, every chunk kept with its offset.
 * Reading is driven by the caller (pull): a caller that stops reading stops the recording too.
 */
class PendingStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly done: Promise<void>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #chunks: Chunk[] = [];
  #finished = false;
  #resolveDone!: () => void;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly started: number,
    private readonly finish: (chunks: Chunk[], end: StreamEnd) => void,
  ) {
    this.#reader = body.getReader();
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    this.readable = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => outsideScopes(() => this.#pull(controller)),
        cancel: (reason) =>
          outsideScopes(async () => {
            this.#end({ kind: 'cancelled', offsetMs: this.#now() });
            await this.#reader.cancel(reason);
          }),
      },
      { highWaterMark: 0 },
    );
  }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    let result: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
    try {
      result = await this.#reader.read();
    } catch (error) {
      this.#end({ kind: 'error', offsetMs: this.#now(), error: describeError(error) });
      controller.error(error);
      return;
    }
    if (result.done) {
      try {
        this.#end({ kind: 'complete' });
        controller.close();
      } catch (error) {
        controller.error(error);
      }
      return;
    }
    this.#chunks.push({ offsetMs: this.#now(), bytes: result.value.slice() });
    controller.enqueue(result.value);
  }

  /** Gives up on a body nobody is reading: cancelled where it stands. */
  async abandon(): Promise<void> {
    if (this.#finished) return;
    try {
      this.#end({ kind: 'cancelled', offsetMs: this.#now() });
    } finally {
      await this.#reader.cancel().catch(() => undefined);
    }
  }

  #now(): number {
    return performance.now() - this.started;
  }

  #end(end: StreamEnd): void {
    if (this.#finished) return;
    this.#finished = true;
    try {
      this.finish(this.#chunks, end);
    } finally {
      this.#resolveDone();
    }
  }
}

/** What the caller saw fail, kept so that replay fails the same way. */
export function describeError(error: unknown): RecordedError {
  if (!(error instanceof Error) && !(error instanceof DOMException))
    return { name: 'Error', message: String(error) };
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = (error as { code?: unknown }).code ?? cause?.code;
  return typeof code === 'string'
    ? { name: error.name, message: error.message, code }
    : { name: error.name, message: error.message };
}
