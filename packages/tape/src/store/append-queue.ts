/**
 * Handing events to a sink in order, whether it answers at once (an in-memory tape, the SQLite
 * recorder) or with a promise (the recorder of an asynchronous store): the transport appends its
 * exchanges through one, a run its exchanges, draws and annotations.
 */
import type { TapeEvent } from '@trace/spec';
import type { TapeAppendOptions } from '../tape.js';

/** Anything events can be appended to: a `TapeRecorder`, an in-memory `Tape`, another queue. */
export interface TapeSink {
  /**
   * `copyBytes: false` hands over bodies and chunks made for the tape alone and never changed, so
   * an in-memory `Tape` need not copy them; a sink that writes at once may ignore it. A sink may
   * return a promise: appends are then made one after another, in order.
   */
  append(event: TapeEvent, options?: TapeAppendOptions): unknown;
}

/**
 * Appends to the sink in the order `append` is called. A sink that answers at once is called at
 * once, so a failure fails the caller (with what `failed` makes of it). A sink that answers with a
 * promise is not called again until it settles: the next appends wait their turn, and a failure,
 * which no caller is left to receive, goes to `failed` alone, for the owner to report later.
 */
export class AppendQueue {
  #recorded = 0;
  #waiting = 0;
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: TapeSink,
    private readonly options: TapeAppendOptions,
    private readonly failed: (event: TapeEvent, cause: unknown) => unknown,
  ) {}

  get recorded(): number {
    return this.#recorded;
  }

  /** Appends an event; the queue itself is a `TapeSink` (it ignores per-call options). */
  append(event: TapeEvent): void {
    if (this.#waiting > 0) {
      this.#enqueue(() => this.sink.append(event, this.options), event);
      return;
    }
    let result: unknown;
    try {
      result = this.sink.append(event, this.options);
    } catch (cause) {
      throw this.failed(event, cause);
    }
    if (isThenable(result)) this.#enqueue(() => result, event);
    else this.#recorded++;
  }

  /** Resolves once every append made so far has settled. */
  drained(): Promise<void> {
    return this.#tail;
  }

  #enqueue(write: () => unknown, event: TapeEvent): void {
    this.#waiting++;
    this.#tail = this.#tail
      .then(write)
      .then(
        () => {
          this.#recorded++;
        },
        (cause: unknown) => {
          this.failed(event, cause);
        },
      )
      .finally(() => {
        this.#waiting--;
      });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
