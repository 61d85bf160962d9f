/** The shapes a backend reads from its storage and hands to the store kit. */
import type { TapeMetadata } from '@trace/spec';

/** A tape's row: what a store keeps about it beside its events. */
export interface StoredTapeState {
  readonly id: string;
  readonly complete: boolean;
  readonly eventCount: number;
  /** The fingerprint the store holds: the chain head after the last event, 32 bytes. */
  readonly head: Uint8Array;
}

export interface StoredTapeHeader extends StoredTapeState {
  readonly metadata: TapeMetadata;
}

/** One stored event: its canonical record and the chain head stored after it. */
export interface StoredEventRecord {
  readonly seq: number;
  readonly record: Uint8Array;
  readonly chain: Uint8Array;
}

/** One stored blob, with the digest it is stored under. */
export interface StoredBlob {
  readonly digest: Uint8Array;
  readonly bytes: Uint8Array;
  /**
   * For a part of a stored blob — a chunk of a streamed body a backend keeps inside the whole
   * stream — the digest of that whole: the part is checked under its own digest (the one its
   * record names) and counted with the whole, not on its own.
   */
  readonly partOf?: Uint8Array;
}

/**
 * A piece a backend stores blobs in (a backend that splits them): checked under its own digest,
 * and named in a problem with the blobs made from it.
 */
export interface StoredChunk {
  readonly digest: Uint8Array;
  /** Its bytes as decoded, or undefined when they cannot be decoded at all. */
  readonly bytes: Uint8Array | undefined;
  /** The digests of the blobs made from it (asked only when it is damaged). */
  readonly blobs: () => Iterable<Uint8Array>;
}
