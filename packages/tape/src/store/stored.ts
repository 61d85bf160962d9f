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
}
