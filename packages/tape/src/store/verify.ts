/**
 * Verification, for any backend: every blob re-hashed against the digest it is stored under,
 * every tape's chain re-walked link by link from the stored records, so that a changed event is
 * located at its own seq, and each tape's blob references checked against what the backend's
 * reference index (if it keeps one) says. Streaming: memory stays flat however large the store.
 */
import { sha256, toHex } from '@trace/spec';
import { blobDigestsOf, MissingBlob, UndecodableRecord } from '../decoding.js';
import { FINGERPRINT_SEED, nextHead } from '../fingerprint.js';
import { EVENT_TAG } from '../record-tags.js';
import type { EventCounts } from '../tape.js';
import { metadataProblem } from './metadata.js';
import type { StoredBlob, StoredChunk, StoredEventRecord, StoredTapeState } from './stored.js';
import type {
  EventRef,
  TapeVerification,
  TapeVerifyProblem,
  TapeVerifyReport,
} from './verify-report.js';

/** One tape to walk. */
export interface TapeToVerify {
  readonly state: StoredTapeState;
  /**
   * What the backend keeps about the tape beside its events, checked against them: its per-type
   * event counts, and its metadata as stored (text, parsed here).
   */
  readonly summary?: { readonly counts?: EventCounts; readonly metadata?: string };
  /** Its records, in seq order. */
  readonly records: Iterable<StoredEventRecord>;
  /**
   * The digests the backend's reference index says the tape refers to (what `delete` collects
   * by), for a backend that keeps one. Read after `records`.
   */
  readonly references?: () => Iterable<Uint8Array>;
}

export interface VerifySource {
  readonly location: string;
  /** What the backend's own structural check found wrong, one line a problem. */
  readonly structure?: readonly string[];
  /** For a backend that stores blobs in chunks: every chunk. Read first, and once. */
  readonly chunks?: Iterable<StoredChunk>;
  /** Every blob in the store (and the parts it checks under their own digests). Read once. */
  readonly blobs: Iterable<StoredBlob>;
  /** The tapes to walk, read after the blobs. */
  readonly tapes: Iterable<TapeToVerify>;
}

export function verifyStoredTapes(source: VerifySource): TapeVerifyReport {
  const structure: TapeVerifyProblem[] = (source.structure ?? []).map((detail) => ({
    kind: 'store-integrity',
    detail,
  }));

  // Pass 0: re-hash every chunk; a damaged one is named with the blobs made from it.
  const damagedChunks: { digest: string; blobs: string[] }[] = [];
  for (const chunk of source.chunks ?? []) {
    if (chunk.bytes !== undefined && sha256(chunk.bytes).equals(chunk.digest)) continue;
    damagedChunks.push({ digest: toHex(chunk.digest), blobs: [...chunk.blobs()].map(toHex) });
  }

  // Pass 1: re-hash every blob. Digests are kept (as hex) to resolve references in pass 2.
  const present = new Set<string>();
  const tampered = new Map<string, EventRef[]>();
  /** The parts checked inside each whole blob, by the whole's digest. */
  const parts = new Map<string, string[]>();
  let blobsChecked = 0;
  let bytesChecked = 0;
  for (const blob of source.blobs) {
    const digest = toHex(blob.digest);
    present.add(digest);
    if (!sha256(blob.bytes).equals(blob.digest)) tampered.set(digest, []);
    if (blob.partOf !== undefined) {
      const whole = toHex(blob.partOf);
      const inWhole = parts.get(whole);
      if (inWhole === undefined) parts.set(whole, [digest]);
      else inWhole.push(digest);
      continue;
    }
    blobsChecked++;
    bytesChecked += blob.bytes.length;
  }

  // Pass 2: walk each tape's chain link by link.
  const tapeProblems: TapeVerifyProblem[] = [];
  const tapes: TapeVerification[] = [];
  for (const tape of source.tapes) {
    tapes.push(walkTape(tape, present, tampered, tapeProblems));
  }

  // Blob problems are known only now, with every event that refers to each tampered blob.
  const blobProblems = [...tampered].map(
    ([digest, referencedBy]): TapeVerifyProblem => ({
      kind: 'blob-tampered',
      digest,
      referencedBy,
    }),
  );
  const chunkProblems = damagedChunks.map(({ digest, blobs }): TapeVerifyProblem => {
    const referencedBy = blobs.flatMap((blob) =>
      [blob, ...(parts.get(blob) ?? [])].flatMap((hex) => tampered.get(hex) ?? []),
    );
    return { kind: 'chunk-tampered', digest, blobs, referencedBy };
  });
  const problems = [...structure, ...chunkProblems, ...blobProblems, ...tapeProblems];
  return {
    ok: problems.length === 0,
    location: source.location,
    tapes,
    blobsChecked,
    bytesChecked,
    problems,
  };
}

function walkTape(
  tape: TapeToVerify,
  present: ReadonlySet<string>,
  tampered: Map<string, EventRef[]>,
  problems: TapeVerifyProblem[],
): TapeVerification {
  const { id } = tape.state;
  const before = problems.length;
  const referenced = new Set<string>();
  let storedPrevious: Uint8Array = FINGERPRINT_SEED;
  let computed: Buffer = FINGERPRINT_SEED;
  let expectedSeq = 0;
  let blobsTampered = false;
  const counted: Record<keyof EventCounts, number> = { draw: 0, exchange: 0, annotation: 0 };

  for (const event of tape.records) {
    const tag = event.record[0];
    if (tag === EVENT_TAG.draw) counted.draw++;
    else if (tag === EVENT_TAG.exchange) counted.exchange++;
    else if (tag === EVENT_TAG.annotation) counted.annotation++;
    if (event.seq !== expectedSeq) {
      problems.push({
        kind: 'event-sequence',
        tapeId: id,
        seq: event.seq,
        detail: `expected seq ${expectedSeq}`,
      });
      expectedSeq = event.seq;
    }
    try {
      for (const digest of blobDigestsOf(event.record)) {
        const hex = toHex(digest);
        referenced.add(hex);
        if (!present.has(hex)) throw new MissingBlob(digest);
        const refs = tampered.get(hex);
        if (refs !== undefined) {
          refs.push({ tapeId: id, seq: event.seq });
          blobsTampered = true;
        }
      }
    } catch (error) {
      if (error instanceof MissingBlob) {
        problems.push({
          kind: 'blob-missing',
          digest: toHex(error.digest),
          tapeId: id,
          seq: event.seq,
        });
      } else if (error instanceof UndecodableRecord) {
        problems.push({
          kind: 'event-undecodable',
          tapeId: id,
          seq: event.seq,
          detail: error.message,
        });
      } else {
        throw error;
      }
    }
    if (!nextHead(storedPrevious, event.record).equals(event.chain)) {
      problems.push({ kind: 'event-tampered', tapeId: id, seq: event.seq });
    }
    storedPrevious = event.chain;
    computed = nextHead(computed, event.record);
    expectedSeq++;
  }

  if (tape.references !== undefined) {
    const indexed = new Set<string>();
    for (const digest of tape.references()) indexed.add(toHex(digest));
    const unindexed = [...referenced].filter((hex) => present.has(hex) && !indexed.has(hex));
    if (unindexed.length > 0) {
      problems.push({
        kind: 'store-integrity',
        detail: `tape ${id} refers to ${unindexed.length} blob(s) its reference index lacks (the first ${unindexed[0]}): deleting another tape could remove them`,
      });
    }
  }

  const { summary } = tape;
  if (summary?.counts !== undefined) {
    const stored = summary.counts;
    const wrong = (Object.keys(counted) as (keyof EventCounts)[]).filter(
      (k) => stored[k] !== counted[k],
    );
    if (wrong.length > 0) {
      const say = (c: EventCounts) => wrong.map((k) => `${c[k]} ${k}`).join(', ');
      problems.push({
        kind: 'tape-summary',
        tapeId: id,
        detail: `the stored counts say ${say(stored)}; its events hold ${say(counted)}`,
      });
    }
  }
  if (summary?.metadata !== undefined) {
    const problem = metadataProblem(summary.metadata);
    if (problem !== undefined) problems.push({ kind: 'tape-summary', tapeId: id, detail: problem });
  }

  const storedFingerprint = toHex(tape.state.head);
  const computedFingerprint = toHex(computed);
  if (storedFingerprint !== computedFingerprint || expectedSeq !== tape.state.eventCount) {
    problems.push({
      kind: 'fingerprint-mismatch',
      tapeId: id,
      stored: storedFingerprint,
      computed: computedFingerprint,
    });
  }
  return {
    id,
    ok: problems.length === before && !blobsTampered,
    complete: tape.state.complete,
    eventCount: expectedSeq,
    storedFingerprint,
    computedFingerprint,
  };
}
