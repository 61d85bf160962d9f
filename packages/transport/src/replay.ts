/**
 * Replay mode: serve recorded responses, never touching the network — there is no inner fetch
 * to reach it. Each live request is put in its recorded form (through the same redactor that
 * recorded the tape) and served the next unconsumed exchange whose request is the same (see
 * replay-index.ts), or refused with a divergence error that says where it differs from the
 * nearest recorded request — in recorded form too, so the error never holds a secret.
 */
import {
  type ExchangeEvent,
  type HeaderList,
  outsideScopes,
  type RecordedError,
  type RecordedRequest,
  type RecordedResponse,
  type TapeContent,
} from '@trace/spec';
import { fingerprintEvents, Tape } from '@trace/tape';
import { type Difference, diffRequests, distance, formatDifferences } from './diff.js';
import { TransportError } from './errors.js';
import { isLocalUrl } from './local-url.js';
import { type CanonicalRequest, Matcher, type MatchOptions } from './match.js';
import { Redaction, type RedactOptions } from './recorded-form.js';
import { type RecordedExchange, ReplayIndex } from './replay-index.js';
import { type FetchInput, forwardInit, type RequestSnapshot, snapshotRequest } from './request.js';
import { bufferedResponse, buildResponse } from './response.js';

export interface ReplayOptions extends RedactOptions {
  /** The tape to replay: a `Tape` (loaded from a store, or recorded in memory), or anything with its events and fingerprint. */
  readonly tape: TapeContent;
  readonly match?: MatchOptions;
  /**
   * How recorded time is played back: `false` (default) serves everything at once, and a recorded
   * `retry-after` (or `retry-after-ms`) as 0 so a client does not sleep on it; `true` waits as
   * the recording did — for the response head, for a whole body's end, for each chunk of a
   * stream, for a failure — and serves `retry-after` as recorded; a number scales every wait,
   * `retry-after` included (0.5 = twice as fast).
   */
  readonly pace?: boolean | number;
  /**
   * Serve a recording again when a request matches only exchanges already served (VCR's
   * `allow_playback_repeats`): the last one served of them. Default false — a request made more
   * often than it was recorded diverges.
   */
  readonly allowPlaybackRepeats?: boolean;
  /** The fingerprint the tape must still have (e.g. printed at record time); the report says whether it does. */
  readonly expectedFingerprint?: string;
  /**
   * Called instead of failing when a request matches nothing (new-episodes uses it to send it
   * live and record it), with the request as it can be sent on — its URL, and the caller's init
   * with the method, headers and body as they were taken — and its position in issue order (see
   * `RecordingFetch.fetchAs`). Without it, a miss throws TRANSPORT_DIVERGED.
   */
  readonly onMiss?: (url: string, init: RequestInit, position: number) => Promise<Response>;
  /**
   * Called with the TRANSPORT_DIVERGED error instead of throwing it from `fetch`, when there is no
   * `onMiss`: what it returns is the response the caller gets. The official SDKs retry a `fetch`
   * that throws (twice, as a connection error that hides the cause); a caller that wants the
   * divergence to fail at the first attempt answers with a response they do not retry.
   */
  readonly onDivergence?: (error: TransportError) => Response | Promise<Response>;
  /**
   * Called with each recorded exchange as it is served, before its response is handed over, its
   * `issueIndex` set to the request's position in this replay: a caller re-recording a run
   * (new-episodes) keeps the exchanges it reused this way.
   */
  readonly onServe?: (exchange: ExchangeEvent) => void;
}

/** A recorded exchange no request asked for. */
export interface UnusedExchange {
  /** Its position among the tape's exchanges in the order they were issued. */
  readonly position: number;
  /** Its sequence number on the tape. */
  readonly seq: number;
  readonly method: string;
  /** Its URL in recorded form. */
  readonly url: string;
}

export interface ReplayReport {
  /** Exchanges on the tape. */
  readonly recorded: number;
  /** Requests served from the tape, each proven identical (after normalising) by its SHA-256. */
  readonly matched: number;
  /** Of those, requests served an exchange already served (only with `allowPlaybackRepeats`). */
  readonly repeated: number;
  /** Requests that matched nothing (each threw TRANSPORT_DIVERGED, or went to `onMiss`). */
  readonly diverged: number;
  /** Recorded exchanges never requested, in issue order. */
  readonly unconsumed: readonly UnusedExchange[];
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
  const matcher = new Matcher(options.match);
  const scale = paceScale(options.pace);
  const { tape } = options;
  const index = new ReplayIndex(
    tape.events,
    matcher,
    (request) => redaction.recorded(request, true),
    tape instanceof Tape ? (bytes) => tape.bodyDigest(bytes) : undefined,
  );
  const { exchanges } = index;
  const fingerprintOf = provenFingerprint(options.tape);
  // Requests are matched in the order they were issued, whatever order their snapshots are ready in.
  const order = new IssueOrder();
  // The matched headers of a client repeat on every request (`anthropic-version`): redacted and
  // serialised once.
  const NO_HEADERS = { headers: [] as (readonly [string, string])[], text: '' };
  const redactedPairs = new Map<string, typeof NO_HEADERS>();
  const redactedHeaders = (headers: (readonly [string, string])[]) => {
    if (headers.length === 0) return NO_HEADERS;
    const key = headers.join('\n');
    let redacted = redactedPairs.get(key);
    if (redacted === undefined) {
      const pairs = redaction.headers(headers);
      redacted = { headers: pairs, text: Matcher.headersText(pairs) };
      if (redactedPairs.size >= 256) redactedPairs.clear();
      redactedPairs.set(key, redacted);
    }
    return redacted;
  };
  let matched = 0;
  let repeated = 0;
  let diverged = 0;

  // Replay's own work runs outside every scope, as recording's does (see record.ts).
  const replayingFetch = (input: FetchInput, init?: RequestInit): Promise<Response> =>
    outsideScopes(() => replayOne(input, init));

  const replayOne = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    // A `data:` or `blob:` URL never reaches the network, and was never recorded.
    if (isLocalUrl(input)) return globalThis.fetch(input, init);
    const started = performance.now();
    // Arguments fetch refuses throw here, before the request takes a place in the order.
    const taken = snapshotRequest(input, init);
    const at = order.issue();
    let snapshot: RequestSnapshot;
    try {
      snapshot = taken instanceof Promise ? await taken : taken;
    } catch (error) {
      order.done(at);
      throw error;
    }
    const turn = order.turn(at);
    if (turn !== undefined) await turn;
    let served: Served;
    try {
      served = match(snapshot, at, init);
    } finally {
      order.done(at);
    }
    if (served.kind === 'miss') return served.response;
    const { exchange } = served;
    options.onServe?.({ ...exchange.event, issueIndex: at });
    return serve(exchange, snapshot, started, scale, redaction);
  };

  type Served =
    | { readonly kind: 'exchange'; readonly exchange: RecordedExchange }
    | { readonly kind: 'miss'; readonly response: Promise<Response> };

  /** Finds what serves the `at`-th request, synchronously, in its turn. */
  const match = (snapshot: RequestSnapshot, at: number, init: RequestInit | undefined): Served => {
    snapshot.signal?.throwIfAborted();
    const matchedPairs = redactedHeaders(matcher.matchedHeaders(snapshot.headers));
    const matchedHeaders = matchedPairs.headers;
    // The cheap path first: a request byte-identical to a recorded one (a recorded request is
    // already in recorded form, and redaction is idempotent) is served without redacting it.
    let raw: string | undefined;
    let exchange: RecordedExchange | undefined;
    if (redaction.redactorOnly) {
      raw = index.keyOfParts(snapshot, matchedPairs.text);
      exchange = index.takeExact(raw, at);
    }
    if (exchange === undefined) {
      const form = redaction.matchForm(snapshot, matchedHeaders);
      const unchanged = form.url === snapshot.url && form.body === snapshot.body;
      const key = unchanged ? raw : undefined;
      exchange = index.take(form, at, key);
      if (exchange === undefined && options.allowPlaybackRepeats === true) {
        exchange = index.repeat(form, key);
        if (exchange !== undefined) repeated++;
      }
      if (exchange === undefined) {
        diverged++;
        if (options.onMiss) {
          return {
            kind: 'miss',
            response: options.onMiss(snapshot.url, forwardInit(snapshot, init), at),
          };
        }
        const error = divergence(at, form, index, matcher, redaction);
        if (options.onDivergence) {
          return { kind: 'miss', response: Promise.resolve(options.onDivergence(error)) };
        }
        throw error;
      }
    }
    matched++;
    return { kind: 'exchange', exchange };
  };

  const unconsumed = (): UnusedExchange[] =>
    exchanges
      .filter((e) => !e.consumed)
      .map((e) => ({
        position: e.index,
        seq: e.seq,
        method: e.event.request.method,
        url: redaction.url(e.event.request.url),
      }));
  return {
    fetch: replayingFetch as typeof fetch,
    report() {
      const fingerprint = fingerprintOf();
      const expected = options.expectedFingerprint ?? options.tape.fingerprint;
      return {
        recorded: exchanges.length,
        matched,
        repeated,
        diverged,
        unconsumed: unconsumed(),
        fingerprint,
        fingerprintUnchanged: fingerprint === options.tape.fingerprint && fingerprint === expected,
      };
    },
    assertConsumed() {
      const left = unconsumed();
      if (left.length === 0) return;
      throw new TransportError(
        'TRANSPORT_UNCONSUMED',
        `${left.length} recorded exchange(s) were never requested during the replay:\n${describeUnused(left)}\nThe run made fewer calls than it recorded: find what changed, or record again.`,
        { details: { unconsumed: left } },
      );
    },
  };
}

/** How many unused exchanges a message lists before it says how many more there are. */
const LISTED = 10;

/** Unused exchanges as lines: `  exchange 3 (tape seq 7): POST https://…/v1/messages`. */
export function describeUnused(unused: readonly UnusedExchange[]): string {
  const lines = unused
    .slice(0, LISTED)
    .map((e) => `  exchange ${e.position} (tape seq ${e.seq}): ${e.method} ${e.url}`);
  if (unused.length > LISTED) lines.push(`  … and ${unused.length - LISTED} more`);
  return lines.join('\n');
}

/**
 * The order in which requests are matched: the order they were issued (the order `fetch` was
 * called), whatever order their snapshots are ready in — one whose body takes longer to read
 * does not let a later identical request take its recording.
 */
class IssueOrder {
  #issued = 0;
  /** Every position before this one is done. */
  #next = 0;
  readonly #done = new Set<number>();
  readonly #waiting = new Map<number, () => void>();

  issue(): number {
    return this.#issued++;
  }

  /** Undefined when it is `at`'s turn now; else a promise that resolves when it is. */
  turn(at: number): Promise<void> | undefined {
    if (at === this.#next) return undefined;
    return new Promise((resolve) => this.#waiting.set(at, resolve));
  }

  done(at: number): void {
    // The common case, requests matched one at a time in order: nothing to record or wake.
    if (at === this.#next && this.#done.size === 0 && this.#waiting.size === 0) {
      this.#next++;
      return;
    }
    this.#done.add(at);
    while (this.#done.delete(this.#next)) this.#next++;
    const wake = this.#waiting.get(this.#next);
    if (wake !== undefined) {
      this.#waiting.delete(this.#next);
      wake();
    }
  }
}

function paceScale(pace: boolean | number | undefined): number {
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
function serve(
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

/**
 * The divergence error: where the live request stands, the nearest recorded one, and how they
 * differ. Both are compared in recorded form — the recorded one put through the redactor again,
 * since a tape recorded before its secrets were detected may hold them — so the error holds none.
 */
function divergence(
  position: number,
  form: RecordedRequest,
  index: ReplayIndex,
  matcher: Matcher,
  redaction: Redaction,
): TransportError {
  const canonical = index.canonicalise(form);
  const { exchanges } = index;
  // In positional mode the request stands against the exchange at its own position.
  let nearest: RecordedExchange | undefined =
    matcher.order === 'positional' ? exchanges[position] : undefined;
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
        order: matcher.order,
      },
    },
  );
}
