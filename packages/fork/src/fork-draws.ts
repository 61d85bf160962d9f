/**
 * The draws of a fork: the parent's served, in order and proven, before the fork point; the
 * replacement (or the tail's answer) at a draw fork point; the tail's source after. Each draw
 * takes its place when it is made, across every stream, as it did on the parent's tape.
 */
import {
  DelegatingSource,
  type DrawRecord,
  live,
  NondetDivergenceError,
  type NondetSource,
  type ReplaySource,
  replay,
  seeded,
} from '@trace/nondet';
import type { TailOptions } from './options.js';

/** What every view of a fork's source shares: the draw count and where each draw goes. */
export interface DrawRoute {
  /** Draws made so far (the next one's position). */
  made: number;
  /** Draws below this position are the parent's. */
  readonly prefix: number;
  /** A draw fork point's position and what serves it: a replacement (replayed) or the tail. */
  readonly point:
    | { readonly index: number; readonly replacement: NondetSource | undefined }
    | undefined;
  /** Told of a draw that is not the parent's: returns the error the agent gets. */
  readonly drifted: (index: number, cause: NondetDivergenceError) => Error;
}

export interface ForkDraws {
  readonly source: NondetSource;
  readonly route: DrawRoute;
  /** The parent's prefix draws, as replayed: how many were served. */
  readonly prefix: ReplaySource;
}

/** The tail's source: live, seeded, or the caller's. */
export function tailSource(draws: TailOptions['draws']): NondetSource {
  if (draws === undefined || draws === 'live') return live();
  if (
    typeof draws === 'object' &&
    draws !== null &&
    'seed' in draws &&
    typeof (draws as { now?: unknown }).now !== 'function'
  )
    return seeded({ seed: draws.seed });
  return draws as NondetSource;
}

export function forkDraws(
  prefix: readonly DrawRecord[],
  point: { readonly index: number; readonly replacement: DrawRecord | undefined } | undefined,
  tail: NondetSource,
  drifted: DrawRoute['drifted'],
): ForkDraws {
  const replayed = replay(prefix);
  const route: DrawRoute = {
    made: 0,
    prefix: prefix.length,
    point:
      point === undefined
        ? undefined
        : {
            index: point.index,
            replacement: point.replacement === undefined ? undefined : replay([point.replacement]),
          },
    drifted,
  };
  return {
    source: new ForkSource(route, replayed, route.point?.replacement, tail),
    route,
    prefix: replayed,
  };
}

/**
 * One view (a stream, or the default) of the fork's source: each draw takes the next position
 * and is served by the parent, the replacement or the tail, as `#take` decides.
 */
class ForkSource extends DelegatingSource {
  constructor(
    private readonly route: DrawRoute,
    private readonly parent: NondetSource,
    private readonly replacement: NondetSource | undefined,
    private readonly tail: NondetSource,
  ) {
    super();
  }

  get streamName(): string | undefined {
    return this.tail.streamName;
  }

  stream(name: string): NondetSource {
    return new ForkSource(
      this.route,
      this.parent.stream(name),
      this.replacement?.stream(name),
      this.tail.stream(name),
    );
  }

  protected delegate<R>(ask: (source: NondetSource) => R): R {
    const { index, source, proven } = this.#take();
    if (!proven) return ask(source);
    try {
      return ask(source);
    } catch (error) {
      throw this.#drifted(index, error);
    }
  }

  protected override async delegateAsync<R>(ask: (source: NondetSource) => Promise<R>): Promise<R> {
    const { index, source, proven } = this.#take();
    if (!proven) return ask(source);
    try {
      return await ask(source);
    } catch (error) {
      throw this.#drifted(index, error);
    }
  }

  /** The next draw's position, the source that serves it, and whether it must be the parent's. */
  #take(): { index: number; source: NondetSource; proven: boolean } {
    const index = this.route.made++;
    const { point } = this.route;
    if (index < this.route.prefix) return { index, source: this.parent, proven: true };
    if (point !== undefined && index === point.index && this.replacement !== undefined)
      return { index, source: this.replacement, proven: true };
    return { index, source: this.tail, proven: false };
  }

  /** A divergence of a proven draw becomes the fork's drift; anything else passes unchanged. */
  #drifted(index: number, error: unknown): unknown {
    return NondetDivergenceError.isInstance(error) ? this.route.drifted(index, error) : error;
  }
}
