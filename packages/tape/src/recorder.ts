import type { TapeEvent, TapeEventType } from '@trace/spec';
import { toHex } from '@trace/spec';
import type Database from 'better-sqlite3';
import { asBuffer } from './bytes.js';
import { encodeEvent } from './encoding.js';
import { TapeError } from './errors.js';
import { FINGERPRINT_SEED, nextHead } from './fingerprint.js';
import { guard } from './sqlite/connection.js';
import type { StoreStatements } from './sqlite/statements.js';
import type { EventCounts } from './tape.js';

interface Appended {
  readonly seq: number;
  readonly head: Buffer;
  readonly counts: EventCounts;
}

/**
 * Appends a run's events to a store as they happen. Each append is one SQLite transaction:
 * the event's blobs, its record and the tape's new head commit together or not at all, so a
 * process killed at any instant leaves a whole-event prefix of the run.
 */
export class TapeRecorder {
  readonly id: string;
  readonly #path: string;
  readonly #statements: StoreStatements;
  readonly #appendTx: (event: TapeEvent) => Appended;
  readonly #finishTx: () => void;
  readonly #storeClosed: () => boolean;
  readonly #counts: Record<TapeEventType, number> = { draw: 0, exchange: 0, annotation: 0 };
  #head: Buffer = FINGERPRINT_SEED;
  #count = 0;
  #finished = false;

  /** @internal Use `TapeStore.record`. */
  constructor(
    id: string,
    path: string,
    db: Database.Database,
    statements: StoreStatements,
    storeClosed: () => boolean,
  ) {
    this.id = id;
    this.#path = path;
    this.#statements = statements;
    this.#storeClosed = storeClosed;
    this.#appendTx = db.transaction((event: TapeEvent) => this.#write(event));
    this.#finishTx = db.transaction(() => {
      this.#statements.markComplete.run(this.id);
    });
  }

  /** Appends one event durably and returns its sequence number (0-based). */
  append(event: TapeEvent): number {
    this.#live();
    const appended = guard(this.#path, () => this.#appendTx(event));
    // Only once the transaction committed: a failed append leaves the recorder where it was.
    this.#head = appended.head;
    this.#count = appended.seq + 1;
    Object.assign(this.#counts, appended.counts);
    return appended.seq;
  }

  /** Marks the tape complete. Appending afterwards is refused. */
  finish(): void {
    this.#live();
    guard(this.#path, () => this.#finishTx());
    this.#finished = true;
  }

  get fingerprint(): string {
    return toHex(this.#head);
  }

  get eventCount(): number {
    return this.#count;
  }

  get counts(): EventCounts {
    return { ...this.#counts };
  }

  get finished(): boolean {
    return this.#finished;
  }

  #write(event: TapeEvent): Appended {
    // No copy of the bodies: they are written to SQLite before append returns.
    const encoded = encodeEvent(event, { copyBytes: false });
    const head = nextHead(this.#head, encoded.record);
    const seq = this.#count;
    const counts = { ...this.#counts, [encoded.event.type]: this.#counts[encoded.event.type] + 1 };
    const s = this.#statements;
    for (const blob of encoded.blobs) {
      s.insertBlob.run(blob.digest, asBuffer(blob.bytes));
    }
    s.insertEvent.run(this.id, seq, encoded.event.type, asBuffer(encoded.record), head);
    s.updateHead.run(seq + 1, head, counts.draw, counts.exchange, counts.annotation, this.id);
    return { seq, head, counts };
  }

  #live(): void {
    if (this.#storeClosed()) {
      throw new TapeError(
        'TAPE_CLOSED',
        `The store ${this.#path} is closed: this recorder can append no more.`,
        {
          details: { path: this.#path, id: this.id },
        },
      );
    }
    if (this.#finished) {
      throw new TapeError(
        'TAPE_CLOSED',
        `Tape ${this.id} is finished: record a new tape to append more.`,
        {
          details: { path: this.#path, id: this.id },
        },
      );
    }
  }
}
