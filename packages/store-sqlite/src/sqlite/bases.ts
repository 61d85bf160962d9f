/**
 * Tapes on a base (format version 5). A fork begins with its parent's events; instead of copying
 * them, the fork's tape names the parent as its base and how many events it shares with it, and
 * keeps rows only for the events after those. A base may itself be on a base, so a tape's events
 * are read as segments: runs of seqs, each kept in the rows of one tape (its "owner").
 *
 * The chain makes sharing safe to decide: the head after event i hashes every record up to i, so
 * two tapes whose heads agree at i agree on every event up to i, and the longest shared prefix is
 * found by a binary search over heads.
 */
import { blobDigestsOf, blobLayoutOf, type EncodedTapeEvent } from '@trace/tape/backend';
import type { EventRow, StoreStatements } from './statements.js';

/** Seqs `from <= seq < to` of a tape, kept in the rows of tape `owner`. */
export interface Segment {
  readonly owner: string;
  readonly from: number;
  readonly to: number;
}

/** Where the first `count` events of tape `id` are kept, in seq order. */
export function segmentsOf(s: StoreStatements, id: string, count: number): Segment[] {
  const chain: { id: string; upto: number }[] = [];
  let at: string | undefined = id;
  let upto = count;
  const seen = new Set<string>();
  // Walked down to the tape that has no base, then read back up: each tape keeps the seqs
  // from where its base's share ends.
  while (at !== undefined && !seen.has(at)) {
    seen.add(at);
    chain.push({ id: at, upto });
    const base = s.baseOf(at);
    if (base === undefined) break;
    upto = Math.min(upto, base.events);
    at = base.base_id;
  }
  const segments: Segment[] = [];
  let from = 0;
  for (const link of chain.reverse()) {
    if (link.upto > from) segments.push({ owner: link.id, from, to: link.upto });
    from = Math.max(from, link.upto);
  }
  return segments;
}

/** Every row of its own, whatever the tape's count says: a row too many is damage to report. */
const ALL = Number.MAX_SAFE_INTEGER;

/** The stored events of tape `id`, in seq order, across its segments. */
export function eventsOf(s: StoreStatements, id: string): EventRow[] {
  const segments = segmentsOf(s, id, ALL);
  if (segments.length === 1) return s.eventsOfTape.all(id);
  return segments.flatMap((segment) =>
    s.eventsInRange.all(segment.owner, segment.from, segment.to),
  );
}

/** The same, streamed a segment at a time (for a walk over a whole store). */
export function* iterateEventsOf(s: StoreStatements, id: string): Generator<EventRow> {
  for (const segment of segmentsOf(s, id, ALL))
    yield* s.eventsInRange.iterate(segment.owner, segment.from, segment.to);
}

/** The blob digests the shared part of tape `id` names: its base's to keep, not its own. */
export function* sharedDigestsOf(s: StoreStatements, id: string): Generator<Uint8Array> {
  for (const segment of segmentsOf(s, id, ALL)) {
    if (segment.owner === id) continue;
    for (const row of s.eventsInRange.iterate(segment.owner, segment.from, segment.to)) {
      try {
        yield* blobDigestsOf(row.record);
      } catch {
        // An undecodable record: the walk over the records reports it at its seq.
      }
    }
  }
}

/**
 * How many of `events` (a tape about to be saved, encoded) tape `base` begins with alike: the
 * largest m with the head after event m − 1 equal in both.
 */
export function sharedPrefix(
  s: StoreStatements,
  base: string,
  baseCount: number,
  events: readonly EncodedTapeEvent[],
): number {
  const segments = segmentsOf(s, base, baseCount);
  const agrees = (m: number): boolean => {
    const seq = m - 1;
    const owner = segments.find((segment) => seq >= segment.from && seq < segment.to)?.owner;
    const stored = owner === undefined ? undefined : s.chainAt.get(owner, seq);
    return stored?.equals((events[seq] as EncodedTapeEvent).head) === true;
  };
  let low = 0; // agrees (vacuously)
  let high = Math.min(events.length, baseCount);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (agrees(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Before tape `id` is deleted: every tape on it as a base keeps what it shared. The rows it
 * shared that `id` kept itself are copied to it (with references to their blobs, so that the
 * blobs outlive `id`), and it moves onto `id`'s own base for the part `id` shared from there.
 */
export function detachDependents(s: StoreStatements, id: string): void {
  const dependents = s.dependentsOf.all(id);
  if (dependents.length === 0) return;
  const own = s.baseOf(id);
  const ownFrom = own?.events ?? 0;
  for (const dependent of dependents) {
    if (dependent.events > ownFrom) {
      const range = { from: id, to: dependent.tape_id, lo: ownFrom, hi: dependent.events };
      s.copyEvents.run(range);
      for (const row of s.eventsInRange.all(id, range.lo, range.hi))
        referBlobsOf(s, dependent.tape_id, row.record, row.stream);
    }
    const stillShared = Math.min(dependent.events, ownFrom);
    if (own !== undefined && stillShared > 0)
      s.setBase.run({ id: dependent.tape_id, base: own.base_id, events: stillShared });
    else s.deleteBase.run(dependent.tape_id);
  }
}

/**
 * Tape `id` refers to every blob a row of its own names (each already stored): the bodies its
 * record names, and the blob its stream is kept in.
 */
export function referBlobsOf(
  s: StoreStatements,
  id: string,
  record: Uint8Array,
  stream: number | null,
): void {
  for (const body of blobLayoutOf(record).bodies) s.insertReference.run(id, body.digest);
  if (stream !== null) s.insertReferenceById.run(id, stream);
}
