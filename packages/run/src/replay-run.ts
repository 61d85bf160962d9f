import { drawLogOf, type NondetDivergenceError, type NondetSource } from '@trace/nondet';
import type { Tape } from '@trace/tape';
import {
  describeUnused,
  type ReplayingFetch,
  replayFetch,
  type TransportError,
} from '@trace/transport';
import { BaseRun, type FetchInput } from './base-run.js';
import { divergenceResponse } from './divergence.js';
import { type ReplayedDraws, replayedDraws } from './draws.js';
import { RunError } from './errors.js';
import type { RunOptions } from './options.js';
import type { RunReport } from './report.js';

/** Replay: everything is served from the tape, and nothing reaches the network. */
export class ReplayRun extends BaseRun {
  readonly mode = 'replay' as const;
  protected readonly draws: NondetSource;
  readonly #tape: Tape;
  readonly #replay: ReplayingFetch;
  readonly #draws: ReplayedDraws;
  #annotations = 0;

  constructor(options: RunOptions, tape: Tape, release: () => Promise<void>) {
    super(options, release);
    this.#tape = tape;
    this.#draws = replayedDraws(
      drawLogOf(tape.events),
      (error: NondetDivergenceError) => this.diverged('draw', error),
      false,
    );
    this.draws = this.#draws.source;
    this.#replay = replayFetch({
      ...options.redact,
      tape,
      ...(options.match === undefined ? {} : { match: options.match }),
      ...(options.pace === undefined ? {} : { pace: options.pace }),
      ...(options.allowPlaybackRepeats === undefined
        ? {}
        : { allowPlaybackRepeats: options.allowPlaybackRepeats }),
      onDivergence: (error: TransportError) => {
        this.diverged('exchange', error);
        return divergenceResponse(error);
      },
    });
  }

  protected send(input: FetchInput, init?: RequestInit): Promise<Response> {
    return this.#replay.fetch(input, init);
  }

  /** A replay records nothing: an annotation is counted, as the run made it. */
  protected record(): void {
    this.#annotations++;
  }

  protected counts() {
    const replayed = this.#replay.report();
    const leftover = this.#draws.log.leftover();
    const counts = this.#tape.counts;
    return {
      exchanges: {
        recorded: replayed.recorded,
        matched: replayed.matched,
        unconsumed: replayed.unconsumed,
      },
      draws: {
        recorded: counts.draw,
        consumed: this.#draws.log.consumed,
        unconsumed: leftover.count,
      },
      annotations: this.#annotations,
      fingerprint: replayed.fingerprint,
      complete: this.#tape.complete,
    };
  }

  protected async finish(): Promise<void> {}

  protected override check(report: RunReport): void {
    super.check(report);
    const { exchanges, draws } = report;
    if (exchanges.unconsumed.length === 0 && draws.unconsumed === 0) return;
    throw new RunError(
      'RUN_UNCONSUMED',
      `Run ${this.id} ended with ${exchanges.unconsumed.length} recorded exchange(s) and ${draws.unconsumed} recorded draw(s) it never asked for: the agent made fewer calls or draws than it recorded. Find what changed, or re-record with TRACE_MODE=record.${exchanges.unconsumed.length > 0 ? `\nUnused exchanges:\n${describeUnused(exchanges.unconsumed)}` : ''}`,
      {
        details: { id: this.id, exchanges: exchanges.unconsumed, draws: draws.unconsumed, report },
      },
    );
  }
}
