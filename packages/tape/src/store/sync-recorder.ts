/**
 * A base for the recorder of a store whose backend writes synchronously (memory, SQLite through
 * better-sqlite3): the checks, the chain and the counts are here, the backend only writes.
 */
import type { TapeEvent } from '@trace/spec';
import type { EventCounts } from '../tape.js';
import { type EncodedTapeEvent, TapeChain } from './chain.js';
import type { TapeRecorder } from './interface.js';
import type { StoreRefusals } from './refusals.js';

export abstract class SyncTapeRecorder implements TapeRecorder {
  readonly id: string;
  readonly #refusals: StoreRefusals;
  readonly #chain = new TapeChain();
  #finished = false;

  protected constructor(id: string, refusals: StoreRefusals) {
    this.id = id;
    this.#refusals = refusals;
  }

  /** True once the store this recorder writes to is closed. */
  protected abstract storeClosed(): boolean;
  /**
   * Writes one event — its new blobs, its record and chain head, the tape's new head and counts
   * — all or nothing. Throws `refusals.deletedWhileRecording` if the tape is gone.
   */
  protected abstract write(event: EncodedTapeEvent): void;
  /** Marks the tape complete. */
  protected abstract writeFinish(): void;

  /** Appends one event durably and returns its sequence number (0-based). */
  append(event: TapeEvent): number {
    this.#live();
    const encoded = this.#chain.prepare(event);
    this.write(encoded);
    // Only once it was written: a failed append leaves the recorder where it was.
    this.#chain.commit(encoded);
    return encoded.seq;
  }

  /** Marks the tape complete. Appending afterwards is refused. */
  finish(): void {
    this.#live();
    this.writeFinish();
    this.#finished = true;
  }

  get fingerprint(): string {
    return this.#chain.fingerprint;
  }

  get eventCount(): number {
    return this.#chain.eventCount;
  }

  get counts(): EventCounts {
    return this.#chain.counts;
  }

  get finished(): boolean {
    return this.#finished;
  }

  #live(): void {
    if (this.storeClosed()) throw this.#refusals.recorderClosed(this.id);
    if (this.#finished) throw this.#refusals.finished(this.id);
  }
}
