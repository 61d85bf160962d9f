/**
 * `hybridDraws`: the draws of a trial's tail served from the run while they line up with it —
 * the draw analogue of @trace/fork's `hybrid` for requests. A tail draw of the same kind, at the
 * same place in the run's order (per stream), gets the run's recorded value; from the first
 * that does not line up, every draw comes from the trial's own tail source. So a trial changes
 * its step and what follows from it, not every clock reading and random choice after it.
 */

import type { TailOptions } from '@trace/fork';
import {
  DelegatingSource,
  type DrawRecord,
  live,
  NondetDivergenceError,
  type NondetSource,
  replay,
  seeded,
} from '@trace/nondet';

interface Routing {
  /** The tail source answers every draw from now on. */
  fresh: boolean;
  /** The next draw is the fork point's own (a redrawn draw): the tail answers it, not the run. */
  skipNext: boolean;
}

/**
 * The tail draws of a trial: the run's `recorded` draws after the fork point first, then the
 * trial's own `draws`. With `redrawnPoint`, the first draw asked is the fork point's, which the
 * tail answers.
 */
export function hybridDraws(
  recorded: readonly DrawRecord[],
  draws: TailOptions['draws'],
  redrawnPoint: boolean,
): NondetSource {
  return new HybridSource(replay(recorded), tailSource(draws), {
    fresh: false,
    skipNext: redrawnPoint,
  });
}

/** The tail's source as @trace/fork reads `tail.draws`: live, seeded, or the caller's. */
function tailSource(draws: TailOptions['draws']): NondetSource {
  if (draws === undefined || draws === 'live') return live();
  if (
    typeof draws === 'object' &&
    'seed' in draws &&
    typeof (draws as { now?: unknown }).now !== 'function'
  )
    return seeded({ seed: (draws as { seed: number | string }).seed });
  return draws as NondetSource;
}

class HybridSource extends DelegatingSource {
  readonly #recorded: NondetSource;
  readonly #tail: NondetSource;
  readonly #routing: Routing;

  constructor(recorded: NondetSource, tail: NondetSource, routing: Routing) {
    super();
    this.#recorded = recorded;
    this.#tail = tail;
    this.#routing = routing;
  }

  get streamName(): string | undefined {
    return this.#tail.streamName;
  }

  stream(name: string): NondetSource {
    return new HybridSource(this.#recorded.stream(name), this.#tail.stream(name), this.#routing);
  }

  protected delegate<R>(ask: (source: NondetSource) => R): R {
    if (this.#routing.skipNext) {
      this.#routing.skipNext = false;
      return ask(this.#tail);
    }
    if (!this.#routing.fresh) {
      try {
        return ask(this.#recorded);
      } catch (error) {
        this.#parted(error);
      }
    }
    return ask(this.#tail);
  }

  protected override async delegateAsync<R>(ask: (source: NondetSource) => Promise<R>): Promise<R> {
    if (this.#routing.skipNext) {
      this.#routing.skipNext = false;
      return ask(this.#tail);
    }
    if (!this.#routing.fresh) {
      try {
        return await ask(this.#recorded);
      } catch (error) {
        this.#parted(error);
      }
    }
    return ask(this.#tail);
  }

  /** A draw the run did not make there (or one past its end): from now on the tail answers. */
  #parted(error: unknown): void {
    if (!NondetDivergenceError.isInstance(error)) throw error;
    this.#routing.fresh = true;
  }
}
