/**
 * Playing a recorded exchange back to the caller: its response (or failure) built as live fetch
 * gives one, at once or paced by the recorded timing, with `retry-after` scaled to the pace.
 */
import {
  type HeaderList,
  outsideScopes,
  type RecordedError,
  type RecordedResponse,
} from '@trace/spec';
import { TransportError } from './errors.js';
import type { Redaction } from './recorded-form.js';
import type { RecordedExchange } from './replay-index.js';
import type { RequestSnapshot } from './request.js';
import { bufferedResponse, buildResponse } from './response.js';

/** The pace option as a factor on recorded time: 0 for none. */
export function paceScale(pace: boolean | number | undefined): number {
  if (pace === undefined || pace === false) return 0;
  if (pace === true) return 1;
  if (typeof pace !== 'number' || !Number.isFinite(pace) || pace < 0) {
    throw new TransportError(
      'TRANSPORT_INVALID_OPTION',
      `pace is ${String(pace)}; use false, true or a finite number of 0 or more (0.5 = twice as fast).`,
    );
  }
  return pace;
}

/** Headers a client sleeps on before retrying. */
const RETRY_AFTER = new Set(['retry-after', 'retry-after-ms']);

/** Whether a recorded header list holds one; looked at once per list (a tape's lists are frozen). */
const retryAfterIn = new WeakMap<HeaderList, boolean>();
function hasRetryAfter(headers: HeaderList): boolean {
  let found = retryAfterIn.get(headers);
  if (found === undefined) {
    found = headers.some(([name]) => RETRY_AFTER.has(name.toLowerCase()));
    retryAfterIn.set(headers, found);
  }
  return found;
}

/**
 * The recorded headers as served: `retry-after` and `retry-after-ms` scaled as the pace asks
 * (0 when replay does not pace), so that a client retrying a recorded 429 or 529 waits only when
 * the replay is meant to take time.
 */
function servedHeaders(headers: HeaderList, scale: number): HeaderList {
  if (scale === 1 || !hasRetryAfter(headers)) return headers;
  return headers.map(([name, value]) => {
    if (!RETRY_AFTER.has(name.toLowerCase())) return [name, value] as const;
    const seconds = Number(value);
    if (scale === 0) return [name, '0'] as const;
    // An HTTP date is served as recorded when pacing: it names a moment, not a wait.
    return Number.isFinite(seconds)
      ? ([name, String(seconds * scale)] as const)
      : ([name, value] as const);
  });
}

/**
 * The recorded response (or failure) of `exchange`, as the caller gets it: at once, or — when the
 * replay is paced and the exchange kept its timing — once the recorded time to its head has passed.
 */
export function serve(
  exchange: RecordedExchange,
  snapshot: RequestSnapshot,
  started: number,
  scale: number,
  redaction: Redaction,
): Response | Promise<Response> {
  const { timing } = exchange.event;
  if (timing === undefined || scale === 0)
    return respond(exchange, snapshot, started, scale, redaction);
  const wait = exchange.event.error === undefined ? timing.headersMs : timing.endMs;
  return sleep(started + wait * scale - performance.now(), snapshot.signal).then(() =>
    respond(exchange, snapshot, started, scale, redaction),
  );
}

function respond(
  exchange: RecordedExchange,
  snapshot: RequestSnapshot,
  started: number,
  scale: number,
  redaction: Redaction,
): Response {
  const { signal } = snapshot;
  const { timing } = exchange.event;
  // Waits until `ms` of recorded time (scaled) after the request was issued.
  const until = (ms: number) =>
    scale === 0 ? undefined : sleep(started + ms * scale - performance.now(), signal);
  if (exchange.event.error !== undefined) throw reviveError(exchange.event.error);
  const response = exchange.event.response as RecordedResponse;
  const head = {
    status: response.status,
    statusText: response.statusText,
    headers: servedHeaders(response.headers, scale),
    url: response.redirectedTo ?? snapshot.url,
    redirected: response.redirectedTo !== undefined,
  };
  const body = response.body;
  if (body === null) return buildResponse(null, head);
  if (body.kind === 'bytes') {
    const end = timing === undefined || scale === 0 ? undefined : until(timing.endMs);
    return bufferedResponse(end === undefined ? body.bytes : end.then(() => body.bytes), head);
  }
  const { chunks, end } = body;
  let next = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => outsideScopes(() => pullChunk(controller)),
    },
    { highWaterMark: 0 },
  );
  async function pullChunk(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    signal?.throwIfAborted();
    const chunk = chunks[next];
    if (chunk !== undefined) {
      const wait = until(chunk.offsetMs);
      if (wait !== undefined) await wait;
      next++;
      controller.enqueue(chunk.bytes.slice());
      return;
    }
    if (end.kind !== 'complete' && scale > 0) await until(end.offsetMs);
    if (end.kind === 'complete') controller.close();
    else if (end.kind === 'error') controller.error(reviveError(end.error));
    else {
      // The request as recorded names it: never with what the redactor took out of it.
      const { method } = exchange.event.request;
      const url = redaction.url(exchange.event.request.url);
      controller.error(
        new TransportError(
          'TRANSPORT_PAST_RECORDING',
          `The replayed caller read past chunk ${chunks.length} of ${method} ${url}, where the recorded caller stopped reading. Stop reading at the same point, or record again.`,
          { details: { url, chunks: chunks.length } },
        ),
      );
    }
  }
  signal?.addEventListener('abort', () => stream.cancel(signal.reason).catch(() => undefined), {
    once: true,
  });
  return buildResponse(stream, head);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** The error the recorded caller got, rebuilt so the replayed caller gets the same kind. */
export function reviveError(recorded: RecordedError): Error {
  if (recorded.name === 'AbortError' || recorded.name === 'TimeoutError') {
    return new DOMException(recorded.message, recorded.name);
  }
  const cause =
    recorded.code === undefined
      ? undefined
      : Object.assign(new Error(recorded.code), { code: recorded.code });
  const error =
    recorded.name === 'TypeError'
      ? new TypeError(recorded.message, { cause })
      : new Error(recorded.message, { cause });
  if (recorded.name !== 'TypeError') error.name = recorded.name;
  return error;
}
