/** What `TapeStore.verify` reports: the same shape from every backend. */

/** Where a problem is: the tape and event it affects, or the blob. */
export type TapeVerifyProblem =
  /** A blob's bytes no longer hash to the digest it is stored under. */
  | {
      readonly kind: 'blob-tampered';
      readonly digest: string;
      readonly referencedBy: readonly EventRef[];
    }
  /**
   * A chunk a backend stores blobs in no longer hashes to its digest (or cannot be decoded): the
   * blobs made from it, and every event that refers to them (or to a stream chunk inside them).
   */
  | {
      readonly kind: 'chunk-tampered';
      readonly digest: string;
      readonly blobs: readonly string[];
      readonly referencedBy: readonly EventRef[];
    }
  /** An event refers to a blob the store does not hold. */
  | {
      readonly kind: 'blob-missing';
      readonly digest: string;
      readonly tapeId: string;
      readonly seq: number;
    }
  /** An event's stored record or its chain head was changed: the link from the previous event breaks. */
  | { readonly kind: 'event-tampered'; readonly tapeId: string; readonly seq: number }
  /** An event's record cannot be decoded at all. */
  | {
      readonly kind: 'event-undecodable';
      readonly tapeId: string;
      readonly seq: number;
      readonly detail: string;
    }
  /** Sequence numbers skip or repeat: an event was removed or inserted. */
  | {
      readonly kind: 'event-sequence';
      readonly tapeId: string;
      readonly seq: number;
      readonly detail: string;
    }
  /** The tape's stored fingerprint or event count disagrees with its events. */
  | {
      readonly kind: 'fingerprint-mismatch';
      readonly tapeId: string;
      readonly stored: string;
      readonly computed: string;
    }
  /**
   * What the store keeps about a tape beside its events disagrees with them: its per-type event
   * counts (what `list()` reports), or its metadata, which is not valid JSON of a tape's metadata.
   */
  | {
      readonly kind: 'tape-summary';
      readonly tapeId: string;
      readonly detail: string;
    }
  /**
   * The backend's own structure is damaged: SQLite's structural check failed, or the index of
   * which tape refers to which blob (what `delete` collects by) disagrees with the events.
   */
  | { readonly kind: 'store-integrity'; readonly detail: string };

export interface EventRef {
  readonly tapeId: string;
  readonly seq: number;
}

export interface TapeVerification {
  readonly id: string;
  readonly ok: boolean;
  readonly complete: boolean;
  readonly eventCount: number;
  /** The fingerprint the store holds for this tape. */
  readonly storedFingerprint: string;
  /** The fingerprint recomputed from the stored records. */
  readonly computedFingerprint: string;
}

export interface TapeVerifyReport {
  readonly ok: boolean;
  /** The store's location (a file path for SQLite). */
  readonly location: string;
  readonly tapes: readonly TapeVerification[];
  readonly blobsChecked: number;
  readonly bytesChecked: number;
  /** Every problem found, in the order found: store structure, blobs, then tapes in order. */
  readonly problems: readonly TapeVerifyProblem[];
}
