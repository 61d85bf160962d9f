import { drawLogOf, type NondetSource } from '@trace/nondet';
import type { JsonValue } from '@trace/spec';
import { AppendQueue, type Tape, type TapeRecorder } from '@trace/tape';
import {
  type RecordingFetch,
  type ReplayingFetch,
  recordFetch,
  replayFetch,
} from '@trace/transport';
import { BaseRun, type FetchInput } from './base-run.js';
import { type ReplayedDraws, recordingDraws, replayedDraws } from './draws.js';
import { RunError } from './errors.js';
import type { RunOptions } from './options.js';

/** Record (and new-episodes): everything new goes live and into the tape, in order. */
export class RecordingRun extends BaseRun {
  readonly mode: 'record' | 'new-episodes';
  protected readonly draws: NondetSource;
  readonly #recorder: TapeRecorder;
  /**
   * One ordered stream of appends into the tape, from the transport, the draw source and
   * `annotate`; a failed asynchronous append is kept here for `close()`.
   */
  readonly #sink: AppendQueue;
  #failure: unknown;
  readonly #recording: RecordingFetch;
  readonly #send: (input: FetchInput, init?: RequestInit) => Promise<Response>;
  readonly #previous:
    | { readonly tape: Tape; readonly replay: ReplayingFetch; readonly draws: ReplayedDraws }
    | undefined;
  #annotations = 0;
  #finished = false;

  constructor(
    options: RunOptions,
    mode: 'record' | 'new-episodes',
    recorder: TapeRecorder,
    previous: Tape | undefined,
    release: () => Promise<void>,
  ) {
    super(options, release);
    this.mode = mode;
    this.#recorder = recorder;
    const sink = new AppendQueue(recorder, {}, (_event, cause) => {
      this.#failure ??= cause;
      return cause;
    });
    this.#sink = sink;
    this.#recording = recordFetch({
      ...options.redact,
      sink,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    if (previous === undefined) {
      this.#previous = undefined;
      this.draws = recordingDraws((draw) => sink.append({ type: 'draw', ...draw }));
      this.#send = this.#recording.fetch;
      return;
    }
    // New episodes: what matches is served from the old tape and kept; the rest goes live.
    const draws = replayedDraws(drawLogOf(previous.events), () => {}, true);
    const replay = replayFetch({
      ...options.redact,
      tape: previous,
      ...(options.match === undefined ? {} : { match: options.match }),
      ...(options.pace === undefined ? {} : { pace: options.pace }),
      ...(options.allowPlaybackRepeats === undefined
        ? {}
        : { allowPlaybackRepeats: options.allowPlaybackRepeats }),
      // Kept in the new tape, numbered as this run issued it (see below).
      onServe: (exchange) => sink.append(exchange),
      // A request the old tape does not hold goes live, and into the new tape, numbered by its
      // place among all the requests this run issued, served or sent on.
      onMiss: (url, init, position) => this.#recording.fetchAs(position)(url, init),
    });
    this.#previous = { tape: previous, replay, draws };
    this.draws = recordingDraws((draw) => sink.append({ type: 'draw', ...draw }), draws.source);
    this.#send = replay.fetch;
  }

  protected send(input: FetchInput, init?: RequestInit): Promise<Response> {
    return this.#send(input, init);
  }

  protected record(event: { type: 'annotation'; data: JsonValue }): void {
    this.#sink.append(event);
    this.#annotations++;
  }

  protected counts() {
    const replayed = this.#previous?.replay.report();
    const counts = this.#recorder.counts;
    return {
      exchanges: { recorded: counts.exchange, matched: replayed?.matched ?? 0, unconsumed: [] },
      draws: {
        recorded: counts.draw,
        consumed: this.#previous?.draws.log.consumed ?? 0,
        unconsumed: 0,
      },
      annotations: this.#annotations,
      fingerprint: this.#recorder.fingerprint,
      complete: this.#finished,
    };
  }

  protected async finish(): Promise<void> {
    try {
      await this.#recording.close();
      await this.#sink.drained();
      if (this.#failure !== undefined) throw this.#failure;
      await this.#recorder.finish();
      this.#finished = true;
    } catch (cause) {
      throw new RunError(
        'RUN_RECORD_FAILED',
        `Run ${this.id} could not be written to its tape, which stays incomplete (an older tape under the id is kept): ${(cause as Error).message}`,
        { cause, details: { id: this.id } },
      );
    }
  }
}
