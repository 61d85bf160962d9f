/**
 * Replay mode: serve recorded responses, never touching the network — there is no inner fetch
 * to reach it. Each live request is put in its recorded form (through the same redactor that
 * recorded the tape) and served the next unconsumed exchange whose request is the same (see
 * replay-index.ts), or refused with a divergence error that says where it differs from the
 * nearest recorded request — in recorded form too, so the error never holds a secret.
 */
import {
  type ExchangeEvent,
  outsideScopes,
  type RecordedError,
  type RecordedRequest,
  type RecordedResponse,
  type TapeContent,
} from '@trace/spec';
import { fingerprintEvents, Tape } from '@trace/tape';
import { type Difference, diffRequests, distance, formatDifferences } from './diff.js';
import { TransportError } from './errors.js';
import type { CanonicalRequest, MatchOptions } from './match.js';
import { Redaction, type RedactOptions } from './recorded-form.js';
import { type RecordedExchange, ReplayIndex } from './replay-index.js';
import { type FetchInput, forwardInit, type RequestSnapshot, snapshotRequest } from './request.js';
import { bufferedResponse, buildResponse } from './response.js';

export interface ReplayOptions extends RedactOptions {
  /** The tape to replay: a `Tape` (loaded from a store, or recorded in memory), or anything with its events and fingerprint. */
  readonly tape: TapeContent;
  readonly match?: MatchOptions;
  /**
   * How streamed bodies are paced: `false` (default) serves every chunk at once; `true` waits
   * until each chunk's recorded offset; a number scales the offsets (0.5 = twice as fast).
   */
  readonly pace?: boolean | number;
  /** The fingerprint the tape must still have (e.g. printed at record time); the report says whether it does. */
  readonly expectedFingerprint?: string;
  /**
   * Called instead of failing when a request matches nothing (new-episodes uses it to send it
   * live and record it), with the request as it can be sent on: its URL, and the caller's init
   * with the method, headers and body as they were taken. Without it, a miss throws
   * TRANSPORT_DIVERGED.
   */
  readonly onMiss?: (url: string, init: RequestInit) => Promise<Response>;
  /**
   * Called with the TRANSPORT_DIVERGED error instead of throwing it from `fetch`, when there is no
   * `onMiss`: what it returns is the response the caller gets. The official SDKs retry a `fetch`
   * that throws (twice, as a connection error that hides the cause); a caller that wants the
   * divergence to fail at the first attempt answers with a response they do not retry.
   */
  readonly onDivergence?: (error: TransportError) => Response | Promise<Response>;
  /**
   * Called with each recorded exchange as it is served, before its response is handed over: a
   * caller re-recording a run (new-episodes) keeps the exchanges it reused this way.
   */
  readonly onServe?: (exchange: ExchangeEvent) => void;
}

export interface ReplayReport {
  /** Exchanges on the tape. */
  readonly recorded: number;
  /** Requests served from the tape, each proven identical (after normalising) by its SHA-256. */
  readonly matched: number;
  /** Requests that matched nothing (each threw TRANSPORT_DIVERGED, or went to `onMiss`). */
  readonly diverged: number;
  /** Recorded exchanges never requested, by tape sequence number. */
  readonly unconsumed: readonly number[];
  /**
   * The fingerprint of the events replayed. A `Tape` holds it proven: computed from its events
   * as they were appended, or checked against the stored bytes when it was loaded, so it is read,
   * not recomputed. Of any other `{ events, fingerprint }` it is computed from the events, once.
   */
  readonly fingerprint: string;
  /** True when that fingerprint equals the tape's (and `expectedFingerprint`, if given). */
  readonly fingerprintUnchanged: boolean;
}

export interface ReplayingFetch {
  readonly fetch: typeof fetch;
  report(): ReplayReport;
  /** Throws TRANSPORT_UNCONSUMED listing the recorded exchanges no request consumed. */
  assertConsumed(): void;
}

export function replayFetch(options: ReplayOptions): ReplayingFetch {
  return startReplay(options, Redaction.compile(options));
}

/** `replayFetch` with the redaction its transport compiled (once, for recording too). */
export function startReplay(options: ReplayOptions, redaction: Redaction): ReplayingFetch {
  const match = options.match ?? {};
  const withHeaders = (match.headers?.length ?? 0) > 0;
  const { tape } = options;
  const index = new ReplayIndex(
    tape.events,
    match,
    (request) => redaction.recorded(request, withHeaders),
    tape instanceof Tape ? (bytes) => tape.bodyDigest(bytes) : undefined,
  );
  const { exchanges } = index;
  const fingerprintOf = provenFingerprint(options.tape);
  let position = 0;
  let matched = 0;
  let diverged = 0;

  // Replay's own work runs outside every scope, as recording's does (see record.ts).
  const replayingFetch = (input: FetchInput, init?: RequestInit): Promise<Response> =>
    outsideScopes(() => replayOne(input, init));

  const replayOne = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const taken = snapshotRequest(input, init);
    const snapshot = taken instanceof Promise ? await taken : taken;
    const at = position++;
    snapshot.signal?.throwIfAborted();
    const headers = withHeaders ? redaction.headers(snapshot.headers) : [];
    // The cheap path first: a request byte-identical to a recorded one (a recorded request is
    // already in recorded form, and redaction is idempotent) is served without redacting it.
    let raw: string | undefined;
    let exchange: RecordedExchange | undefined;
    if (redaction.redactorOnly) {
      const { method, url, body } = snapshot;
      raw = index.keyOf({ method, url, headers, body });
      exchange = index.takeExact(raw, at);
    }
    if (exchange === undefined) {
      const form = redaction.matchForm(snapshot, headers);
      const unchanged = form.url === snapshot.url && form.body === snapshot.body;
      exchange = index.take(form, at, unchanged ? raw : undefined);
      if (exchange === undefined) {
        diverged++;
        if (options.onMiss) return options.onMiss(snapshot.url, forwardInit(snapshot, init));
        const error = divergence(at, form, index, match, redaction);
        if (options.onDivergence) return options.onDivergence(error);
        throw error;
      }
    }
    matched++;
    options.onServe?.(exchange.event);
    if (exchange.event.error !== undefined) throw reviveError(exchange.event.error);
    return serve(exchange, snapshot, options.pace ?? false, redaction);
  };

  const unconsumed = () => exchanges.filter((e) => !e.consumed).map((e) => e.seq);
  return {
    fetch: replayingFetch as typeof fetch,
    report() {
      const fingerprint = fingerprintOf();
      const expected = options.expectedFingerprint ?? options.tape.fingerprint;
      return {
        recorded: exchanges.length,
        matched,
        diverged,
        unconsumed: unconsumed(),
        fingerprint,
        fingerprintUnchanged: fingerprint === options.tape.fingerprint && fingerprint === expected,
      };
    },
    assertConsumed() {
      const left = unconsumed();
      if (left.length === 0) return;
      const first = exchanges.find((e) => !e.consumed) as RecordedExchange;
      throw new TransportError(
        'TRANSPORT_UNCONSUMED',
        `${left.length} recorded exchange(s) were never requested during the replay, the first at tape seq ${first.seq} (${first.event.request.method} ${redaction.url(first.event.request.url)}). The run made fewer calls than it recorded: find what changed, or record again.`,
        { details: { unconsumed: left } },
      );
    },
  };
}

/**
 * The fingerprint of what is replayed: a `Tape`'s own (proven as it was built or loaded, and
 * cheap to read), or, for any other tape-shaped object, computed from its events the first time
 * it is asked for.
 */
function provenFingerprint(tape: TapeContent): () => string {
  if (tape instanceof Tape) return () => tape.fingerprint;
  let computed: string | undefined;
  return () => {
    computed ??= fingerprintEvents(tape.events);
    return computed;
  };
}

function serve(
  exchange: RecordedExchange,
  snapshot: RequestSnapshot,
  pace: boolean | number,
  redaction: Redaction,
): Response {
  const response = exchange.event.response as RecordedResponse;
  const head = {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    url: snapshot.url,
  };
  const body = response.body;
  if (body === null) return buildResponse(null, head);
  if (body.kind === 'bytes') return bufferedResponse(body.bytes, head);
  const scale = pace === false ? 0 : pace === true ? 1 : pace;
  const { chunks, end } = body;
  const signal = snapshot.signal;
  const start = performance.now();
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
      if (scale > 0) await sleep(start + chunk.offsetMs * scale - performance.now(), signal);
      next++;
      controller.enqueue(chunk.bytes.slice());
      return;
    }
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

/**
 * The divergence error: where the live request stands, the nearest recorded one, and how they
 * differ. Both are compared in recorded form — the recorded one put through the redactor again,
 * since a tape recorded before its secrets were detected may hold them — so the error holds none.
 */
function divergence(
  position: number,
  form: RecordedRequest,
  index: ReplayIndex,
  match: MatchOptions,
  redaction: Redaction,
): TransportError {
  const canonical = index.canonicalise(form);
  const { exchanges } = index;
  // In positional mode the request stands against the exchange at its own position.
  let nearest: RecordedExchange | undefined =
    match.order === 'positional' ? exchanges[position] : undefined;
  let nearestForm: CanonicalRequest | undefined =
    nearest === undefined ? undefined : index.canonicalOf(nearest);
  let best = Number.POSITIVE_INFINITY;
  // Otherwise, the nearest of all. Their canonical forms are made here, for this message only:
  // the index keeps nothing parsed.
  for (const exchange of nearest === undefined ? exchanges : []) {
    const form = index.canonicalOf(exchange);
    const d =
      distance(form, canonical) +
      (exchange.consumed ? 0.5 : 0) +
      (exchange.index === position ? -0.25 : 0);
    if (d < best) {
      best = d;
      nearest = exchange;
      nearestForm = form;
    }
  }
  const differences: Difference[] =
    nearestForm === undefined ? [] : diffRequests(nearestForm, canonical);
  const nearestUrl = nearest === undefined ? '' : redaction.url(nearest.event.request.url);
  const where =
    nearest === undefined
      ? 'The tape holds no exchanges at all.'
      : `The nearest recorded request is exchange ${nearest.index} (tape seq ${nearest.seq}, ${nearest.event.request.method} ${nearestUrl}${nearest.consumed ? ', already served' : ''}); it differs at:\n${formatDifferences(differences) || '  (no difference: it was already served as often as it was recorded)'}`;
  return new TransportError(
    'TRANSPORT_DIVERGED',
    `Replay diverged at request ${position} (${form.method} ${form.url}): no recorded exchange is left with this request. ${where}\nThe run no longer makes the calls it recorded: find what changed (a prompt, a tool result, a nondeterministic value drawn outside @trace/nondet), or record again.`,
    {
      details: {
        position,
        request: { method: form.method, url: form.url },
        nearest:
          nearest === undefined
            ? null
            : {
                index: nearest.index,
                seq: nearest.seq,
                method: nearest.event.request.method,
                url: nearestUrl,
                consumed: nearest.consumed,
              },
        differences,
        order: match.order ?? 'fingerprint',
      },
    },
  );
}
