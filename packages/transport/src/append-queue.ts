/**
 * How a recording transport hands exchanges to its sink: in the order they end, whether the sink
 * answers at once or with a promise.
 */
import type { TapeEvent } from '@trace/spec';
import type { TapeAppendOptions } from '@trace/tape';
import type { TransportError } from './errors.js';
import type { TapeSink } from './record.js';

/**
 * Appends to the sink in the order exchanges end. A sink that answers at once is called at
 * once, so a failure fails the call that made the exchange, as it always has. A sink that
 * answers with a promise is not called again until it settles: the next appends wait their
 * turn, and a failure, which no caller is left to receive, is kept for `close()`.
 */
export class AppendQueue {
  #recorded = 0;
  #waiting = 0;
  #tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: TapeSink,
    private readonly options: TapeAppendOptions,
    private readonly failed: (event: TapeEvent, cause: unknown) => TransportError,
  ) {}

  get recorded(): number {
    return this.#recorded;
  }

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
