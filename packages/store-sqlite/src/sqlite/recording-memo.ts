import type { LoosePack } from './packs.js';

/** A chunk a recording stored or found, with its bytes. */
export interface KnownChunk {
  readonly bytes: Uint8Array;
  readonly id: number;
}

/**
 * What a recording keeps from one append to the next: the chunk ids it has made or found, so
 * that a chunk its tape already uses is not looked up again — by digest, and, for a chunk of the
 * blobs in chunks it stored last (a conversation's next request re-sends the last one's
 * messages), by its bytes, compared before any hashing — and the loose packs it has written and
 * not yet joined (see packs.ts). What an append changes is staged, and kept only once its
 * transaction commits (an id from a rolled-back append names nothing). A chunk a tape's blobs use
 * stays while the tape does, so a kept id stays good for the recording's life.
 */
export class RecordingMemo {
  /**
   * The tape's head as this recording last wrote it: an append (or the finish) goes ahead only
   * where the tape is still at it, so a recorder whose tape was deleted — and perhaps recorded
   * again under the same id — is refused, and never writes into another recording's rows.
   */
  #head: Buffer;
  #headStaged: Buffer | undefined;
  readonly #committed = new Map<string, number>();
  readonly #staged = new Map<string, number>();
  /** The chunks of the last two blobs in chunks (a request's and a response's, say). */
  #recent: readonly (readonly KnownChunk[])[] = [];
  #recentStaged: readonly (readonly KnownChunk[])[] | undefined;
  #loose: readonly LoosePack[] = [];
  #looseStaged: readonly LoosePack[] | undefined;

  constructor(head: Buffer) {
    this.#head = head;
  }

  get head(): Buffer {
    return this.#headStaged ?? this.#head;
  }

  set head(head: Buffer) {
    this.#headStaged = head;
  }

  get(key: string): number | undefined {
    return this.#committed.get(key) ?? this.#staged.get(key);
  }

  stage(key: string, id: number): void {
    this.#staged.set(key, id);
  }

  /**
   * The id of the chunk at `index` of a recent blob, when its bytes are `bytes`: where a request
   * that re-sends the last one's messages has them (comparing bytes costs far less than hashing).
   */
  recent(index: number, bytes: Uint8Array): number | undefined {
    for (const blob of this.#recentStaged ?? this.#recent) {
      const chunk = blob[index];
      if (chunk !== undefined && Buffer.compare(chunk.bytes, bytes) === 0) return chunk.id;
    }
    return undefined;
  }

  /**
   * Notes the chunks of a blob just stored in chunks (`chunks` are views of `blob`): kept as a
   * copy, since the caller may change or reuse its bytes once the append returns.
   */
  stored(chunks: readonly KnownChunk[], blob: Uint8Array): void {
    const copy = Buffer.from(blob);
    const kept = chunks.map(({ bytes, id }) => {
      const at = bytes.byteOffset - blob.byteOffset;
      return { bytes: copy.subarray(at, at + bytes.length), id };
    });
    this.#recentStaged = [kept, ...(this.#recentStaged ?? this.#recent).slice(0, 1)];
  }

  /** The loose packs written and not yet joined, oldest first. */
  get loose(): readonly LoosePack[] {
    return this.#looseStaged ?? this.#loose;
  }

  /** What is loose from now on (after an append wrote or joined some). */
  set loose(packs: readonly LoosePack[]) {
    this.#looseStaged = packs;
  }

  commit(): void {
    this.#head = this.#headStaged ?? this.#head;
    this.#headStaged = undefined;
    for (const [key, id] of this.#staged) this.#committed.set(key, id);
    this.#staged.clear();
    this.#loose = this.#looseStaged ?? this.#loose;
    this.#looseStaged = undefined;
    this.#recent = this.#recentStaged ?? this.#recent;
    this.#recentStaged = undefined;
  }

  discard(): void {
    this.#headStaged = undefined;
    this.#staged.clear();
    this.#looseStaged = undefined;
    this.#recentStaged = undefined;
  }
}
