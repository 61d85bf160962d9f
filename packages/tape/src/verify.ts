/**
 * Integrity checking of a store: every blob is re-hashed and every tape's chain recomputed from
 * the stored bytes, streaming, so memory stays flat however large the file.
 */

import { sha256, toHex } from '@trace/spec';
import type Database from 'better-sqlite3';
import { decodeRecord, MissingBlob, UndecodableRecord } from './encoding.js';
import { FINGERPRINT_SEED, nextHead } from './fingerprint.js';
import type { StoreStatements, TapeRow } from './sqlite/statements.js';

/** Where a problem is: the tape and event it affects, or the blob. */
export type VerifyProblem =
  /** A blob's bytes no longer hash to the digest it is stored under. */
  | {
      readonly kind: 'blob-tampered';
      readonly digest: string;
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
  /** SQLite's own structural check found damage. */
  | { readonly kind: 'sqlite-integrity'; readonly detail: string };

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

export interface VerifyReport {
  readonly ok: boolean;
  readonly path: string;
  readonly tapes: readonly TapeVerification[];
  readonly blobsChecked: number;
  readonly bytesChecked: number;
  /** Every problem found, in the order found: SQLite structure, blobs, then tapes in order. */
  readonly problems: readonly VerifyProblem[];
}

export function verifyStore(
  path: string,
  db: Database.Database,
  s: StoreStatements,
  onlyTape?: string,
): VerifyReport {
  const structure: VerifyProblem[] = [];
  for (const row of db.pragma('quick_check') as { quick_check: string }[]) {
    if (row.quick_check !== 'ok')
      structure.push({ kind: 'sqlite-integrity', detail: row.quick_check });
  }

  // Pass 1: re-hash every blob. Digests are kept (32 bytes each) to resolve references in pass 2.
  const present = new Set<string>();
  const tampered = new Map<string, EventRef[]>();
  let blobsChecked = 0;
  let bytesChecked = 0;
  for (const blob of s.allBlobs.iterate()) {
    const digest = toHex(blob.digest);
    present.add(digest);
    if (!sha256(blob.data).equals(blob.digest)) tampered.set(digest, []);
    blobsChecked++;
    bytesChecked += blob.data.length;
  }

  // Pass 2: walk each tape's chain link by link, so a changed event is located at its own seq.
  const rows: TapeRow[] =
    onlyTape === undefined
      ? s.allTapes.all()
      : [s.tapeById.get(onlyTape)].filter((r) => r !== undefined);
  const tapeProblems: VerifyProblem[] = [];
  const tapes = rows.map((row) => verifyTape(row, s, present, tampered, tapeProblems));

  // Blob problems are known only now, with every event that refers to each tampered blob.
  const blobProblems = [...tampered].map(
    ([digest, referencedBy]): VerifyProblem => ({ kind: 'blob-tampered', digest, referencedBy }),
  );
  const problems = [...structure, ...blobProblems, ...tapeProblems];
  return { ok: problems.length === 0, path, tapes, blobsChecked, bytesChecked, problems };
}

function verifyTape(
  row: TapeRow,
  s: StoreStatements,
  present: ReadonlySet<string>,
  tampered: Map<string, EventRef[]>,
  problems: VerifyProblem[],
): TapeVerification {
  const before = problems.length;
  let storedPrevious: Buffer = FINGERPRINT_SEED;
  let computed: Buffer = FINGERPRINT_SEED;
  let expectedSeq = 0;
  let blobsTampered = false;
  const empty = new Uint8Array(0);

  for (const event of s.eventsOfTape.iterate(row.id)) {
    if (event.seq !== expectedSeq) {
      problems.push({
        kind: 'event-sequence',
        tapeId: row.id,
        seq: event.seq,
        detail: `expected seq ${expectedSeq}`,
      });
      expectedSeq = event.seq;
    }
    try {
      decodeRecord(event.record, (digest) => {
        const hex = toHex(digest);
        if (!present.has(hex)) throw new MissingBlob(Buffer.from(digest));
        const refs = tampered.get(hex);
        if (refs !== undefined) {
          refs.push({ tapeId: row.id, seq: event.seq });
          blobsTampered = true;
        }
        return empty;
      });
    } catch (error) {
      if (error instanceof MissingBlob) {
        problems.push({
          kind: 'blob-missing',
          digest: toHex(error.digest),
          tapeId: row.id,
          seq: event.seq,
        });
      } else if (error instanceof UndecodableRecord) {
        problems.push({
          kind: 'event-undecodable',
          tapeId: row.id,
          seq: event.seq,
          detail: error.message,
        });
      } else {
        throw error;
      }
    }
    if (!nextHead(storedPrevious, event.record).equals(event.chain)) {
      problems.push({ kind: 'event-tampered', tapeId: row.id, seq: event.seq });
    }
    storedPrevious = event.chain;
    computed = nextHead(computed, event.record);
    expectedSeq++;
  }

  const storedFingerprint = toHex(row.head);
  const computedFingerprint = toHex(computed);
  if (storedFingerprint !== computedFingerprint || expectedSeq !== row.event_count) {
    problems.push({
      kind: 'fingerprint-mismatch',
      tapeId: row.id,
      stored: storedFingerprint,
      computed: computedFingerprint,
    });
  }
  return {
    id: row.id,
    ok: problems.length === before && !blobsTampered,
    complete: row.state === 'complete',
    eventCount: expectedSeq,
    storedFingerprint,
    computedFingerprint,
  };
}
