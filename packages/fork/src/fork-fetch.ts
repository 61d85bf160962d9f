/**
 * The requests of a fork, by their position in issue order: the parent's exchanges are served
 * before the fork point, each request proven the parent's (positional, hash for hash); the fork
 * point gets the intervention; everything after goes to the tail fetch — or, with `hybrid`, to
 * the parent's answer when the request is the parent's own at that position. Nothing reaches the
 * tail before every step of the prefix was proven. A drift reaches the agent as @trace/run's
 * divergence answer (a 400 neither SDK retries, carrying the drift's message); the fork itself
 * rejects with the drift error.
 */
import { divergenceResponse } from '@trace/run';
import type { ExchangeEvent, TapeContent } from '@trace/spec';
import type { TapeSink } from '@trace/tape';
import {
  type MatchOptions,
  type RecordingFetch,
  type RedactOptions,
  type ReplayOptions,
  recordFetch,
  replayFetch,
  type TransportError,
} from '@trace/transport';
import { ForkError } from './errors.js';
import type { PlacedExchange } from './parent.js';

export interface ForkFetchOptions {
  /** The parent's exchanges in issue order. */
  readonly parent: readonly PlacedExchange[];
  readonly parentFingerprint: string;
  /** Exchanges before this position are the parent's. */
  readonly prefix: number;
  /** At an exchange fork point: its position and the exchange served there, or undefined to resample. */
  readonly point:
    | { readonly index: number; readonly replaced: ExchangeEvent | undefined }
    | undefined;
  readonly sink: TapeSink;
  readonly match: Omit<MatchOptions, 'order'> | undefined;
  readonly redact: RedactOptions | undefined;
  readonly tailFetch: typeof fetch | undefined;
  readonly hybrid: boolean;
  /** Throws the drift when the prefix is not proven: asked before anything goes to the tail. */
  readonly gate: (position: number) => void;
  /** Makes the drift error for a request the parent did not make at `position`. */
  readonly drifted: (position: number, divergence: TransportError | undefined) => ForkError;
}

/** What a fork's requests did so far: updated in place as they are made. */
export interface RequestCounts {
  /** Prefix exchanges served (each proven the parent's). */
  readonly prefixServed: number;
  /** The fork point's request was made (and proven the parent's). */
  readonly pointReached: boolean;
  /** Tail requests answered from the parent (hybrid). */
  readonly fromParent: number;
  /** Tail requests sent to the tail fetch. */
  readonly live: number;
}

export interface ForkFetch {
  readonly fetch: typeof fetch;
  readonly counts: RequestCounts;
  /** Waits for every tail exchange to end and be appended; rethrows a failure to append. */
  close(): Promise<void>;
}

export function forkFetch(options: ForkFetchOptions): ForkFetch {
  const { parent, prefix, point, sink } = options;
  const match = { ...options.match, order: 'positional' as const };
  const redact = options.redact ?? {};
  const served: ExchangeEvent[] = parent.slice(0, prefix).map((e) => e.event);
  if (point?.replaced !== undefined) served.push(point.replaced);
  const tape: TapeContent = { fingerprint: options.parentFingerprint, events: served };
  const recording: RecordingFetch = recordFetch({
    ...redact,
    sink,
    ...(options.tailFetch === undefined ? {} : { fetch: options.tailFetch }),
  });
  const state = { prefixServed: 0, pointReached: false, fromParent: 0, live: 0 };

  /** A one-exchange replay of the parent's exchange at `position`: proves a request is that one. */
  const single = (position: number, extra: Partial<ReplayOptions>) =>
    replayFetch({
      ...redact,
      tape: {
        fingerprint: options.parentFingerprint,
        events: [{ ...parent[position]!.event, issueIndex: 0 }],
      },
      match,
      ...extra,
    });

  /** Undefined when the request is the parent's at `position`; else how it differs. */
  const prove = async (
    position: number,
    url: string,
    init: RequestInit,
  ): Promise<TransportError | undefined> => {
    if (parent[position] === undefined) return undefined;
    let divergence: TransportError | undefined;
    const replay = single(position, {
      onDivergence: (error: TransportError) => {
        divergence = error;
        return new Response(null, { status: 400 });
      },
    });
    const response = await replay.fetch(url, init);
    await response.body?.cancel();
    return divergence;
  };

  const live = (position: number, url: string, init: RequestInit): Promise<Response> => {
    options.gate(position);
    state.live++;
    return recording.fetchAs(position)(url, init);
  };

  const tail = async (url: string, init: RequestInit, position: number): Promise<Response> => {
    if (position < served.length)
      return divergenceResponse(options.drifted(position, await prove(position, url, init)));
    try {
      if (point !== undefined && position === point.index) {
        // Resample: the request must still be the parent's, then the tail answers it.
        const divergence = await prove(position, url, init);
        if (divergence !== undefined)
          return divergenceResponse(options.drifted(position, divergence));
        state.pointReached = true;
        return await live(position, url, init);
      }
      if (options.hybrid && parent[position] !== undefined) {
        options.gate(position);
        const replay = single(position, {
          onServe: (exchange: ExchangeEvent) => {
            state.fromParent++;
            sink.append({ ...exchange, issueIndex: position });
          },
          onMiss: (missUrl: string, missInit: RequestInit) => live(position, missUrl, missInit),
        });
        return await replay.fetch(url, init);
      }
      return await live(position, url, init);
    } catch (error) {
      if (ForkError.isInstance(error)) return divergenceResponse(error);
      throw error;
    }
  };

  const replay = replayFetch({
    ...redact,
    tape,
    match,
    onServe: (exchange) => {
      const position = exchange.issueIndex ?? 0;
      if (position < prefix) state.prefixServed++;
      else state.pointReached = true;
      sink.append(exchange);
    },
    onMiss: tail,
  });

  return { fetch: replay.fetch, counts: state, close: () => recording.close() };
}
