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
  type RecordedRequest,
  type TapeContent,
} from '@trace/spec';
import { fingerprintEvents, Tape } from '@trace/tape';
import { type Difference, diffRequests, distance, formatDifferences } from './diff.js';
import { TransportError } from './errors.js';
import { IssueOrder } from './issue-order.js';
import { isLocalUrl } from './local-url.js';
import { type CanonicalRequest, Matcher, type MatchOptions } from './match.js';
import { paceScale, serve } from './playback.js';
import { Redaction, type RedactOptions } from './recorded-form.js';
import { type RecordedExchange, ReplayIndex } from './replay-index.js';
import { type FetchInput, forwardInit, type RequestSnapshot, snapshotRequest } from './request.js';

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
