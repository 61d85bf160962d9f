/**
 * Which recorded exchange serves a live request. Two requests are the same when their canonical
 * hashes are equal (see match.ts); the n-th live request of a hash is served the n-th recorded
 * exchange of that hash, so retries replay in sequence and concurrent requests pair by issue
 * order whatever order they complete in.
 *
 * Indexing a tape keys each recorded request as it was recorded (method, URL, matched headers,
 * the SHA-256 of its body: its raw key), without parsing it — and for a tape read from a store,
 * without hashing it either: the store proved each body's digest. A live request byte-identical to the
 * next recorded one — the common case of a replay that goes as recorded — is served by raw key
 * alone. Only when that cannot decide exactly (a request that is not byte-identical, or one that
 * comes out of recorded order) are the canonical hashes of the recorded requests computed, once,
 * and matching goes on by them. Nothing parsed is kept: what a divergence message needs is
 * computed when one happens.
 */
import type { ExchangeEvent, TapeEvent } from '@trace/spec';
import {
  type CanonicalRequest,
  canonicalise,
  hashCanonical,
  type MatchOptions,
  type RequestLike,
  rawKey,
} from './match.js';

export interface RecordedExchange {
  /** Its sequence number on the tape. */
  readonly seq: number;
  /** Its position among the tape's exchanges. */
  readonly index: number;
  readonly event: ExchangeEvent;
  /** The raw key of its request, as recorded. */
  readonly raw: string;
  /** The canonical hash of its request, once computed. */
  canonical: string | undefined;
  consumed: boolean;
}

export class ReplayIndex {
  readonly exchanges: readonly RecordedExchange[];
  readonly #match: MatchOptions;
  readonly #withHeaders: boolean;
  /** Exchanges by raw key, in tape order, with how many of each were served. */
  readonly #byRaw = new Map<string, RecordedExchange[]>();
  readonly #rawServed = new Map<string, number>();
  /** Exchanges by canonical hash, indexed when first needed. */
  #byCanonical: Map<string, RecordedExchange[]> | undefined;
  readonly #canonicalServed = new Map<string, number>();
  /** Every exchange before this position has been served. */
  #firstUnserved = 0;

  /**
   * `bodyDigest` gives a recorded body's SHA-256 when the tape already knows it (see
   * `Tape.bodyDigest`): then indexing hashes no body at all.
   */
  constructor(
    events: readonly TapeEvent[],
    match: MatchOptions,
    bodyDigest: (bytes: Uint8Array) => string | undefined = () => undefined,
  ) {
    this.#match = match;
    this.#withHeaders = (match.headers?.length ?? 0) > 0;
    const exchanges: RecordedExchange[] = [];
    events.forEach((event, seq) => {
      if (event.type !== 'exchange') return;
      const { body } = event.request;
      const raw = rawKey(
        event.request,
        this.#withHeaders,
        body === null ? undefined : bodyDigest(body),
      );
      const exchange: RecordedExchange = {
        seq,
        index: exchanges.length,
        event,
        raw,
        canonical: undefined,
        consumed: false,
      };
      exchanges.push(exchange);
      const queue = this.#byRaw.get(raw);
      if (queue === undefined) this.#byRaw.set(raw, [exchange]);
      else queue.push(exchange);
    });
    this.exchanges = exchanges;
  }

  /**
   * Takes the exchange that serves `request` (in its recorded form), the `at`-th request of the
   * replay, marking it served; or undefined when none is left to serve it.
   */
  take(request: RequestLike, at: number): RecordedExchange | undefined {
    const raw = rawKey(request, this.#withHeaders);
    const found =
      this.#match.order === 'positional'
        ? this.#positional(request, raw, at)
        : this.#next(request, raw);
    if (found !== undefined) this.#serve(found);
    return found;
  }

  /** The canonical form of a recorded request, computed now (for a divergence message). */
  canonicalOf(exchange: RecordedExchange): CanonicalRequest {
    return canonicalise(exchange.event.request, this.#match);
  }

  /** The canonical form of a live request. */
  canonicalise(request: RequestLike): CanonicalRequest {
    return canonicalise(request, this.#match);
  }

  #positional(request: RequestLike, raw: string, at: number): RecordedExchange | undefined {
    const next = this.exchanges[at];
    if (next === undefined) return undefined;
    if (next.raw === raw) return next;
    return this.#canonicalHash(next) === hashCanonical(canonicalise(request, this.#match))
      ? next
      : undefined;
  }

  #next(request: RequestLike, raw: string): RecordedExchange | undefined {
    if (this.#byCanonical === undefined) {
      const queue = this.#byRaw.get(raw);
      const candidate = queue?.[this.#rawServed.get(raw) ?? 0];
      // Every exchange before it was served, so none of its canonical class can be ahead of it.
      if (candidate !== undefined && candidate.index === this.#firstUnserved) {
        this.#rawServed.set(raw, (this.#rawServed.get(raw) ?? 0) + 1);
        return candidate;
      }
      this.#byCanonical = this.#indexCanonical();
    }
    // A request with the raw key of a recorded one has that one's canonical hash.
    const twin = this.#byRaw.get(raw)?.[0];
    const hash =
      twin !== undefined
        ? this.#canonicalHash(twin)
        : hashCanonical(canonicalise(request, this.#match));
    const queue = this.#byCanonical.get(hash);
    if (queue === undefined) return undefined;
    let n = this.#canonicalServed.get(hash) ?? 0;
    // Exchanges served before the canonical index existed were served in order: skip them.
    while (queue[n]?.consumed) n++;
    this.#canonicalServed.set(hash, n + 1);
    return queue[n];
  }

  #indexCanonical(): Map<string, RecordedExchange[]> {
    const byHash = new Map<string, RecordedExchange[]>();
    for (const exchange of this.exchanges) {
      const hash = this.#canonicalHash(exchange);
      const queue = byHash.get(hash);
      if (queue === undefined) byHash.set(hash, [exchange]);
      else queue.push(exchange);
    }
    return byHash;
  }

  #canonicalHash(exchange: RecordedExchange): string {
    exchange.canonical ??= hashCanonical(canonicalise(exchange.event.request, this.#match));
    return exchange.canonical;
  }

  #serve(exchange: RecordedExchange): void {
    exchange.consumed = true;
    while (this.exchanges[this.#firstUnserved]?.consumed) this.#firstUnserved++;
  }
}
