/**
 * Record mode: forward each request to the real fetch and append the whole exchange to a tape,
 * in recorded form (see recorded-form.ts): the caller gets the live response untouched, the tape
 * what the redactor leaves of it. Streamed bodies reach the caller chunk by chunk as they arrive;
 * each chunk is kept with its arrival offset, and the exchange is appended when the stream ends,
 * is cancelled, or fails — its chunks redacted together, so a secret split across them is found.
 */
import {
  type Chunk,
  type ExchangeEvent,
  outsideScopes,
  type RecordedBody,
  type RecordedError,
  type StreamEnd,
  type TapeEvent,
} from '@trace/spec';
import { AppendQueue, type TapeAppendOptions, type TapeSink } from '@trace/tape';
import { TransportError } from './errors.js';
import { isLocalUrl } from './local-url.js';
import { Redaction, type RedactOptions } from './recorded-form.js';
import { type FetchInput, forward, type RequestSnapshot, snapshotRequest } from './request.js';
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
  /**
   * A fetch whose exchanges are recorded as issued at `issueIndex`, for a caller that numbers the
   * requests itself: a new-episodes replay numbers every request, served from the old tape or sent
   * on through this (`ReplayOptions.onMiss` hands it the position).
   */
  fetchAs(issueIndex: number): typeof fetch;
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
  const reading = new Set<Promise<unknown>>();
  let failure: TransportError | undefined;
  let issued = 0;
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
  const fetchAs =
    (issueIndex: number | undefined) =>
    (input: FetchInput, init?: RequestInit): Promise<Response> =>
      outsideScopes(() => {
        const inner = options.fetch ?? globalThis.fetch;
        // A `data:` or `blob:` URL is answered in-process (the OpenAI SDK probes `data:,`): not
        // an exchange with a server, so neither recorded nor counted.
        if (isLocalUrl(input)) return inner(input, init);
        // Arguments fetch refuses fail here, before the request takes a place in the order.
        let taken: RequestSnapshot | Promise<RequestSnapshot>;
        try {
          taken = snapshotRequest(input, init);
        } catch (error) {
          return Promise.reject(error);
        }
        // Numbered when fetch is called, before anything is awaited: the order of issue.
        return record(taken, input, init, issueIndex ?? issued++, inner);
      });

  const record = async (
    taken: RequestSnapshot | Promise<RequestSnapshot>,
    input: FetchInput,
    init: RequestInit | undefined,
    issueIndex: number,
    inner: typeof fetch,
  ): Promise<Response> => {
    const started = performance.now();
    const since = () => performance.now() - started;
    const snapshot = taken instanceof Promise ? await taken : taken;
    const request = redaction.request(snapshot);
    // What a failure says, as recorded: its message may quote the URL (fetch refuses one with
    // user info by quoting it whole) or a secret.
    const scrub = (error: RecordedError) => redaction.error(error, snapshot.url, request.url);
    const failed = (error: unknown) => scrub(describeError(error));
    let response: Response;
    try {
      response = await forward(inner, snapshot, input, init);
    } catch (error) {
      const at = since();
      append({
        type: 'exchange',
        request,
        error: failed(error),
        issueIndex,
        timing: { headersMs: at, endMs: at },
      });
      throw error;
    }
    const headersMs = since();
    const head = {
      status: response.status,
      statusText: redaction.text(response.statusText),
      headers: redaction.headers(response.headers),
      ...(response.redirected ? { redirectedTo: redaction.url(response.url) } : {}),
    };
    // The caller gets the live response as it came.
    const live = {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      url: response.url || snapshot.url,
      redirected: response.redirected,
    };
    const contentType = response.headers.get('content-type');
    const exchange = (body: RecordedBody | null, endMs: number): ExchangeEvent => ({
      type: 'exchange',
      request,
      response: { ...head, body },
      issueIndex,
      timing: { headersMs, endMs },
    });

    if (response.body === null) {
      append(exchange(null, headersMs));
      return buildResponse(null, live);
    }
    if (!isStream(response)) {
      // Read whole, at once, and handed over as it arrives: `fetch()` resolves with the head, as
      // the live one does, and a body cut part-way fails the caller's read of it — not `fetch()`,
      // which an SDK would retry, billing the call again.
      const bytes = response.arrayBuffer().then(
        (buffer) => {
          const whole = new Uint8Array(buffer);
          append(
            exchange(
              { kind: 'bytes', bytes: redaction.responseBody(whole, contentType, request) },
              since(),
            ),
          );
          return whole;
        },
        (error: unknown) => {
          const at = since();
          append(
            exchange(
              {
                kind: 'stream',
                chunks: [],
                end: { kind: 'error', offsetMs: at, error: failed(error) },
              },
              at,
            ),
          );
          throw error;
        },
      );
      // Kept until settled, so `settled()` and `close()` wait for it; a caller who never reads
      // the body leaves the rejection to nobody.
      const settledBytes: Promise<unknown> = bytes.then(
        () => reading.delete(settledBytes),
        () => reading.delete(settledBytes),
      );
      reading.add(settledBytes);
      return bufferedResponse(bytes, live);
    }
    const stream = new PendingStream(response.body, started, (chunks, end) => {
      pending.delete(stream);
      append(
        exchange(
          {
            kind: 'stream',
            chunks: redaction.stream(chunks, contentType),
            end: end.kind === 'error' ? { ...end, error: scrub(end.error) } : end,
          },
          since(),
        ),
      );
    });
    pending.add(stream);
    return buildResponse(stream.readable, live);
  };

  return {
    fetch: fetchAs(undefined) as typeof fetch,
    fetchAs: (issueIndex) => fetchAs(issueIndex) as typeof fetch,
    get recorded() {
      return appends.recorded;
    },
    async settled() {
      await Promise.allSettled([...pending].map((stream) => stream.done));
      await Promise.allSettled([...reading]);
      await appends.drained();
    },
    async close() {
      await Promise.allSettled([...pending].map((stream) => stream.abandon()));
      await Promise.allSettled([...reading]);
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
