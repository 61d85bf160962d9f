/**
 * The nondeterminism side of a run: draws recorded into the run's tape as they are made, served
 * back from it in replay, and — in new-episodes — served while they line up, then drawn live.
 */
import {
  DelegatingSource,
  type DrawRecord,
  live,
  NondetDivergenceError,
  type NondetSource,
  type ReplaySource,
  recording,
  replay,
} from '@trace/nondet';

/** Draws live, handing each to `append` as it is made (in log order). */
export function recordingDraws(append: (draw: DrawRecord) => void, inner?: NondetSource) {
  return recording(inner ?? live(), { onDraw: (draw) => append(draw) });
}

/** What a run does when a replayed draw is not the one recorded. */
interface Routing {
  /** Told of each divergence (the first is the run's). */
  readonly onDivergence: (error: NondetDivergenceError) => void;
  /** Go live from the divergence on (new-episodes), instead of failing the draw (replay). */
  readonly fallBack: boolean;
  /** Set once a divergence sent every later draw live. */
  live: boolean;
}

/** A replayed log, and the source that serves it to the agent. */
export interface ReplayedDraws {
  readonly source: NondetSource;
  /** The log's own replay, for what was consumed and what was left. */
  readonly log: ReplaySource;
}

/**
 * Serves draws from the replayed log and tells `onDivergence` of a draw that is not the one
 * recorded; with `fallBack`, every draw from there on is drawn live (new-episodes), otherwise the
 * draw fails (replay).
 */
export function replayedDraws(
  log: readonly DrawRecord[],
  onDivergence: (error: NondetDivergenceError) => void,
  fallBack: boolean,
): ReplayedDraws {
  const replayed = replay(log);
  return {
    source: new RoutedSource(replayed, live(), { onDivergence, fallBack, live: false }),
    log: replayed,
  };
}

/** A source that asks the replayed one first and, once it diverges, the live one (or fails). */
class RoutedSource extends DelegatingSource {
  readonly #replayed: NondetSource;
  readonly #live: NondetSource;
  readonly #routing: Routing;

  constructor(replayed: NondetSource, liveSource: NondetSource, routing: Routing) {
    super();
    this.#replayed = replayed;
    this.#live = liveSource;
    this.#routing = routing;
  }

  get streamName(): string | undefined {
    return this.#replayed.streamName;
  }

  stream(name: string): NondetSource {
    return new RoutedSource(this.#replayed.stream(name), this.#live.stream(name), this.#routing);
  }

  protected delegate<R>(ask: (source: NondetSource) => R): R {
    if (!this.#routing.live) {
      try {
        return ask(this.#replayed);
      } catch (error) {
        this.#diverged(error);
      }
    }
    return ask(this.#live);
  }

  protected override async delegateAsync<R>(ask: (source: NondetSource) => Promise<R>): Promise<R> {
    if (!this.#routing.live) {
      try {
        return await ask(this.#replayed);
      } catch (error) {
        this.#diverged(error);
      }
    }
    return ask(this.#live);
  }

  /** Rethrows anything but a divergence; a divergence is reported, then fails or goes live. */
  #diverged(error: unknown): void {
    if (!NondetDivergenceError.isInstance(error)) throw error;
    this.#routing.onDivergence(error);
    if (!this.#routing.fallBack) throw error;
    this.#routing.live = true;
  }
}
