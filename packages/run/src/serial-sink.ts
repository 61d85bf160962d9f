/**
 * One ordered stream of appends into a run's tape, from the transport (exchanges), the draw source
 * and `annotate`. A synchronous recorder (SQLite, memory) appends at once and a failure reaches the
 * caller at once; an asynchronous one is appended to one event after the other, and a failure is
 * kept for `close()`.
 */
import type { TapeEvent } from '@trace/spec';
import type { TapeRecorder } from '@trace/tape';

export class SerialSink {
  readonly #recorder: TapeRecorder;
  #tail: Promise<void> | undefined;
  #failure: unknown;
  #appended = 0;

  constructor(recorder: TapeRecorder) {
    this.#recorder = recorder;
  }

  /** Events handed over so far. */
  get appended(): number {
    return this.#appended;
  }

  append(event: TapeEvent): void {
    if (this.#tail === undefined) {
      const result = this.#recorder.append(event);
      this.#appended++;
      if (result instanceof Promise) this.#tail = result.then(noop, (error) => this.#fail(error));
      return;
    }
    this.#appended++;
    this.#tail = this.#tail
      .then(() => this.#recorder.append(event))
      .then(noop, (error) => this.#fail(error));
  }

  /** Resolves once every append has landed; rejects with the first that failed. */
  async drained(): Promise<void> {
    await this.#tail;
    if (this.#failure !== undefined) throw this.#failure;
  }

  #fail(error: unknown): void {
    this.#failure ??= error;
  }
}

function noop(): void {}
