/**
 * The write side of the store kit: events encoded for a store to persist, each with the chain
 * head after it and the blobs its tape refers to for the first time.
 */
import type { TapeEvent, TapeEventType } from '@trace/spec';
import { toHex } from '@trace/spec';
import { type BlobRef, encodeEvent } from '../encoding.js';
import { FINGERPRINT_SEED, nextHead } from '../fingerprint.js';
import type { EventCounts, Tape } from '../tape.js';

/** An event ready for a store to persist. */
export interface EncodedTapeEvent {
  readonly seq: number;
  readonly type: TapeEventType;
  /** The canonical record (docs/tape-format.md, section 3). */
  readonly record: Uint8Array;
  /** The chain head after this event: the tape's fingerprint once the event is stored. */
  readonly head: Buffer;
  /**
   * The blobs this event is the first of its tape to refer to, once each: store them (by digest;
   * another tape may hold them already) and note that the tape refers to them. Every other blob
   * the record refers to came with an earlier event of the same tape.
   */
  readonly newBlobs: readonly BlobRef[];
  /**
   * The chunks of the event's streamed response body, in order, repeats included (absent when
   * it has none): a store may keep a stream's bytes together rather than a blob per chunk.
   */
  readonly stream?: readonly Uint8Array[];
  /** The tape's event counts with this event. */
  readonly counts: EventCounts;
}

/**
 * Which blobs a tape has referred to so far, to tell its new ones apart. A body and a stream
 * chunk are told apart even with the same bytes: a store may keep the two differently.
 */
class BlobsSeen {
  readonly #seen = new Set<string>();

  /** The refs not seen yet, once each; `add` marks them seen. */
  unseen(refs: readonly BlobRef[]): BlobRef[] {
    const fresh: BlobRef[] = [];
    const here = new Set<string>();
    for (const ref of refs) {
      const key = keyOf(ref);
      if (this.#seen.has(key) || here.has(key)) continue;
      here.add(key);
      fresh.push(ref);
    }
    return fresh;
  }

  add(refs: readonly BlobRef[]): void {
    for (const ref of refs) this.#seen.add(keyOf(ref));
  }
}

function keyOf(ref: BlobRef): string {
  return (ref.stream ? 's' : 'b') + ref.digest.toString('latin1');
}

/**
 * A recording's running state: its chain head, event count and counts by type. `prepare`
 * encodes the next event (refusing an invalid one with TAPE_INVALID_EVENT) without changing
 * anything; the store persists it, then `commit`s it — so an append the store failed to write
 * leaves the recording where it was.
 */
export class TapeChain {
  #head: Buffer = FINGERPRINT_SEED;
  #count = 0;
  #counts: EventCounts = { draw: 0, exchange: 0, annotation: 0 };
  readonly #blobs = new BlobsSeen();

  prepare(event: TapeEvent): EncodedTapeEvent {
    // No copy of the bodies: a store writes (or copies) them before the append returns.
    const encoded = encodeEvent(event, { copyBytes: false });
    const type = encoded.event.type;
    return {
      seq: this.#count,
      type,
      record: encoded.record,
      head: nextHead(this.#head, encoded.record),
      newBlobs: this.#blobs.unseen(encoded.blobs),
      ...streamOf(encoded.blobs),
      counts: { ...this.#counts, [type]: this.#counts[type] + 1 },
    };
  }

  /** Moves the recording past `event`, which the store has persisted. */
  commit(event: EncodedTapeEvent): void {
    if (event.seq !== this.#count) {
      throw new Error(`commit of event ${event.seq}, but the next event is ${this.#count}`);
    }
    this.#head = event.head;
    this.#count++;
    this.#counts = event.counts;
    this.#blobs.add(event.newBlobs);
  }

  get fingerprint(): string {
    return toHex(this.#head);
  }

  get head(): Buffer {
    return this.#head;
  }

  get eventCount(): number {
    return this.#count;
  }

  get counts(): EventCounts {
    return { ...this.#counts };
  }
}

/** A whole tape's events, encoded for a store to persist (what `save` writes). */
export function* encodedEventsOf(tape: Tape): Generator<EncodedTapeEvent> {
  const blobs = new BlobsSeen();
  const counts: Record<TapeEventType, number> = { draw: 0, exchange: 0, annotation: 0 };
  let seq = 0;
  for (const stored of tape.storedEvents()) {
    const newBlobs = blobs.unseen(stored.blobs);
    blobs.add(newBlobs);
    counts[stored.event.type]++;
    yield {
      seq: seq++,
      type: stored.event.type,
      record: stored.record,
      head: stored.head,
      newBlobs,
      ...streamOf(stored.blobs),
      counts: { ...counts },
    };
  }
}

/** `{ stream }` with the stream chunks among `refs`, or nothing when there are none. */
function streamOf(refs: readonly BlobRef[]): { stream?: readonly Uint8Array[] } {
  if (!refs.some((ref) => ref.stream === true)) return {};
  return { stream: refs.filter((ref) => ref.stream === true).map((ref) => ref.bytes) };
}
