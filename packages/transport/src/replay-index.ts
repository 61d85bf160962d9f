/**
 * Which recorded exchange serves a live request. Two requests are the same when their canonical
 * hashes are equal (see match.ts); the n-th live request of a hash is served the n-th recorded
 * exchange of that hash in the order they were issued when recording (each exchange's
 * `issueIndex`; tape order, which is completion order, for a tape written before it was kept), so
 * retries replay in sequence and identical concurrent requests pair by issue order whatever
 * order they completed in, then or now.
 *
 * Indexing a tape keys each recorded request as it was recorded (method, URL, matched headers,
 * the SHA-256 of its body: its raw key), without parsing it — and for a tape read from a store,
 * without hashing it either: the store proved each body's digest. A live request byte-identical to the
 * next recorded one — the common case of a replay that goes as recorded — is served by raw key
 * alone. Only when that cannot decide exactly (a request that is not byte-identical, or one that
 * comes out of recorded order) are the canonical hashes of the recorded requests computed, once,
 * and matching goes on by them. Nothing parsed is kept: what a divergence message needs is
 * computed when one happens.
 *
 * Recorded requests are stored redacted, and a live request is compared in its recorded form
 * (see recorded-form.ts). Replay first tries the live request's raw key as it was sent
 * (`takeExact`): bytes identical to a recorded request's are that request's, and the redactor is
 * never run for them. A request that matches no recorded one as stored is compared once more with
 * the recorded requests redacted again, indexed then: nothing changes for a tape recorded with the
 * same redaction, but one recorded before a secret was detected still matches.
 */
import type { ExchangeEvent, RecordedRequest, TapeEvent } from '@trace/spec';
import { type CanonicalRequest, hashCanonical, type Matcher, type RequestLike } from './match.js';

export interface RecordedExchange {
  /** Its sequence number on the tape (completion order). */
  readonly seq: number;
  /** Its position among the tape's exchanges in the order they were issued. */
  readonly index: number;
  readonly event: ExchangeEvent;
  /** The raw key of its request, as recorded. */
  readonly raw: string;
  /** The canonical hash of its request as stored, once computed. */
  canonical: string | undefined;
  consumed: boolean;
}

/** Exchanges grouped by a key, each group served in tape order. */
class Queues {
  readonly #groups = new Map<string, RecordedExchange[]>();
  readonly #served = new Map<string, number>();

  constructor(exchanges: readonly RecordedExchange[], keyOf: (e: RecordedExchange) => string) {
    for (const exchange of exchanges) {
      const key = keyOf(exchange);
      const group = this.#groups.get(key);
      if (group === undefined) this.#groups.set(key, [exchange]);
      else group.push(exchange);
    }
  }

  /**
   * The first exchange of group `key` not served yet (by this lookup or any other), taken from
   * the group — unless `accept` refuses it, which leaves the group as it was.
   */
  next(key: string, accept?: (e: RecordedExchange) => boolean): RecordedExchange | undefined {
    const group = this.#groups.get(key);
    if (group === undefined) return undefined;
    let n = this.#served.get(key) ?? 0;
    while (group[n]?.consumed) n++;
    const found = group[n];
    if (found === undefined || (accept !== undefined && !accept(found))) return undefined;
    this.#served.set(key, n + 1);
    return found;
  }

  /** The first exchange of group `key`, served or not. */
  first(key: string): RecordedExchange | undefined {
    return this.#groups.get(key)?.[0];
  }

  /** The last exchange of group `key` already served, if any. */
  lastServed(key: string): RecordedExchange | undefined {
    return this.#groups.get(key)?.findLast((exchange) => exchange.consumed);
  }
}

export class ReplayIndex {
  /** The tape's exchanges in the order they were issued. */
  readonly exchanges: readonly RecordedExchange[];
  readonly #matcher: Matcher;
  readonly #recordedForm: (request: RecordedRequest) => RequestLike;
  /** Exchanges by raw key, in tape order. */
  readonly #byRaw: Queues;
  /** Exchanges by the canonical hash of their request as stored, indexed when first needed. */
  #byCanonical: Queues | undefined;
  /** Exchanges by the canonical hash of their request redacted again, indexed on a first miss. */
  #byRedacted: Queues | undefined;
  /** Every exchange before this position has been served. */
  #firstUnserved = 0;

  /**
   * `recordedForm` puts a recorded request through the transport's redactor again (see
   * `Redaction.recorded`). `bodyDigest` gives a recorded body's SHA-256 when the tape already
   * knows it (see `Tape.bodyDigest`): then indexing hashes no body at all.
   */
  constructor(
    events: readonly TapeEvent[],
    matcher: Matcher,
    recordedForm: (request: RecordedRequest) => RequestLike,
    bodyDigest: (bytes: Uint8Array) => string | undefined = () => undefined,
  ) {
    this.#matcher = matcher;
    this.#recordedForm = recordedForm;
    const found: { seq: number; issued: number; event: ExchangeEvent }[] = [];
    events.forEach((event, seq) => {
      if (event.type !== 'exchange') return;
      found.push({ seq, issued: event.issueIndex ?? found.length, event });
    });
    // Issue order; tape order among equals (a tape written before issue order was kept has none).
    if (found.some((e, i) => e.issued !== i))
      found.sort((a, b) => a.issued - b.issued || a.seq - b.seq);
    this.exchanges = found.map(({ seq, event }, index) => {
      const { request } = event;
      const headers = matcher.matchedHeaders(request.headers);
      const digest = request.body === null ? undefined : bodyDigest(request.body);
      const raw = matcher.rawKey({ ...request, headers }, digest);
      return { seq, index, event, raw, canonical: undefined, consumed: false };
    });
    this.#byRaw = new Queues(this.exchanges, (e) => e.raw);
  }

  /** The raw key of a live request (its headers already the matched ones), to look it up with. */
  keyOf(request: RequestLike): string {
    return this.#matcher.rawKey(request);
  }

  /** `keyOf`, with the matched headers already serialised (`Matcher.headersText`). */
  keyOfParts(request: Omit<RequestLike, 'headers'>, headersText: string): string {
    return this.#matcher.rawKeyOf(request, headersText);
  }

  /**
   * Takes the exchange that serves `request` (in its recorded form, with `raw` its raw key), the
   * `at`-th request of the replay, marking it served; or undefined when none is left to serve it.
   */
  take(request: RequestLike, at: number, raw = this.keyOf(request)): RecordedExchange | undefined {
    let found: RecordedExchange | undefined;
    if (this.#matcher.order === 'positional') {
      const next = this.exchanges[at];
      if (next !== undefined && (next.raw === raw || this.#sameAs(next, request, raw))) {
        found = next;
      }
    } else {
      found = this.#inOrder(raw) ?? this.#byHash(this.#hashOf(request, raw), true);
    }
    if (found !== undefined) this.#serve(found);
    return found;
  }

  /**
   * Takes the exchange a request with raw key `raw` is byte-identical to, when the raw key alone
   * decides which one serves it: the next one in tape order, or (once matching goes by canonical
   * hash) the next of its canonical class. Otherwise returns undefined and changes nothing, so the
   * request can be redacted and looked up with `take`.
   */
  takeExact(raw: string, at: number): RecordedExchange | undefined {
    let found: RecordedExchange | undefined;
    if (this.#matcher.order === 'positional') {
      const next = this.exchanges[at];
      if (next?.raw === raw) found = next;
    } else {
      const twin = this.#byCanonical === undefined ? undefined : this.#byRaw.first(raw);
      found = this.#inOrder(raw) ?? (twin && this.#byHash(this.#canonicalHash(twin), false));
    }
    if (found !== undefined) this.#serve(found);
    return found;
  }

  /**
   * The exchange served last among those the same as `request` (in recorded form, with `raw` its
   * raw key), to serve it once more: for a replay that allows repeated playback, when none of
   * them is left unserved.
   */
  repeat(request: RequestLike, raw = this.keyOf(request)): RecordedExchange | undefined {
    const hash = this.#hashOf(request, raw);
    this.#byCanonical ??= new Queues(this.exchanges, (e) => this.#canonicalHash(e));
    const found = this.#byCanonical.lastServed(hash);
    if (found !== undefined) return found;
    this.#byRedacted ??= new Queues(this.exchanges, (e) => hashCanonical(this.canonicalOf(e)));
    return this.#byRedacted.lastServed(hash);
  }

  /** The canonical form of a recorded request, redacted again (for a divergence message). */
  canonicalOf(exchange: RecordedExchange): CanonicalRequest {
    return this.canonicalise(this.#recordedForm(exchange.event.request));
  }

  /** The canonical form of a request in recorded form. */
  canonicalise(request: RequestLike): CanonicalRequest {
    return this.#matcher.canonicalise(request);
  }

  /**
   * The next recorded exchange with raw key `raw`, when it is also the first one not yet served:
   * every exchange before it was served, so none of its canonical class can be ahead of it.
   * Undefined once matching goes by canonical hash.
   */
  #inOrder(raw: string): RecordedExchange | undefined {
    if (this.#byCanonical !== undefined) return undefined;
    return this.#byRaw.next(raw, (candidate) => candidate.index === this.#firstUnserved);
  }

  /** The canonical hash of a request: a recorded one's with the same raw key, or computed. */
  #hashOf(request: RequestLike, raw: string): string {
    const twin = this.#byRaw.first(raw);
    return twin !== undefined
      ? this.#canonicalHash(twin)
      : hashCanonical(this.canonicalise(request));
  }

  /**
   * The next unserved exchange of a canonical class, among the recorded requests as stored, then
   * (with `redactedToo`) among them redacted again. Each index is built when first needed.
   */
  #byHash(hash: string, redactedToo: boolean): RecordedExchange | undefined {
    this.#byCanonical ??= new Queues(this.exchanges, (e) => this.#canonicalHash(e));
    const found = this.#byCanonical.next(hash);
    if (found !== undefined || !redactedToo) return found;
    this.#byRedacted ??= new Queues(this.exchanges, (e) => hashCanonical(this.canonicalOf(e)));
    return this.#byRedacted.next(hash);
  }

  /** Whether `request` (with raw key `raw`) is the same as the recorded exchange, as stored or redacted again. */
  #sameAs(exchange: RecordedExchange, request: RequestLike, raw: string): boolean {
    const hash = this.#hashOf(request, raw);
    return (
      this.#canonicalHash(exchange) === hash || hashCanonical(this.canonicalOf(exchange)) === hash
    );
  }

  #canonicalHash(exchange: RecordedExchange): string {
    exchange.canonical ??= hashCanonical(this.canonicalise(exchange.event.request));
    return exchange.canonical;
  }

  #serve(exchange: RecordedExchange): void {
    exchange.consumed = true;
    while (this.exchanges[this.#firstUnserved]?.consumed) this.#firstUnserved++;
  }
}
