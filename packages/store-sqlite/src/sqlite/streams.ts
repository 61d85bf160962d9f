/**
 * Streamed bodies kept whole (format version 6 on): a stream's chunks are joined into one blob, and
 * the record of its event gives each chunk's size and digest, which cut the blob back into the
 * chunks — each then proven by its digest as any blob is.
 */
import { blobLayoutOf, type StoredBlob } from '@trace/tape/backend';
import type { BlobStore, ReadBlob } from './blob-store.js';
import type { PackCache } from './packs.js';
import type { EventRow, StoreStatements } from './statements.js';

interface Part {
  readonly digest: Buffer;
  readonly bytes: Uint8Array;
}

/**
 * The chunks of every stream `rows` name, each once, in batches: cut from the stream's blob among
 * `streams` (the tape's own, by id), or from the one `byId` reads (a stream of a base's events,
 * the base's to refer to). The reader hashes each under the digest it is found by.
 */
export function* streamPartsOf(
  rows: readonly EventRow[],
  streams: ReadonlyMap<number, Uint8Array>,
  byId: (id: number) => ReadBlob | undefined,
): Generator<Uint8Array[]> {
  let batch: Uint8Array[] = [];
  const seen = new Set<string>();
  const read = new Map<number, Uint8Array>();
  for (const row of rows) {
    if (row.stream === null) continue;
    let bytes = streams.get(row.stream) ?? read.get(row.stream);
    if (bytes === undefined) {
      bytes = byId(row.stream)?.bytes ?? new Uint8Array(0);
      read.set(row.stream, bytes);
    }
    for (const part of partsOf(row.record, bytes)) {
      const key = part.digest.toString('latin1');
      if (seen.has(key)) continue;
      seen.add(key);
      batch.push(part.bytes);
    }
    if (batch.length >= 256) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Every blob of the store, streamed, reassembled; after a blob a stream is kept in, the chunks
 * its records cut it into, each checked under the digest its record names (what `verify` walks),
 * their digests noted in `cut` under the stream's blob id.
 */
export function* storedBlobs(
  s: StoreStatements,
  blobs: BlobStore,
  cache: PackCache,
  cut: Map<number, Buffer[]>,
): Generator<StoredBlob> {
  // Which blobs keep streams, asked once (the index has them), not for every blob.
  const streams = new Set(s.streamBlobIds.all());
  for (const read of blobs.all(cache)) {
    const bytes = read.bytes;
    yield { digest: read.digest, bytes };
    if (!streams.has(read.id)) continue;
    // Each chunk once, however many events name the stream (identical streams share a blob).
    const named = new Set<string>();
    const checked = new Set<string>();
    const digests: Buffer[] = [];
    cut.set(read.id, digests);
    for (const record of s.recordsOfStream.iterate(read.id)) {
      const layout = streamLayoutOf(record);
      // Every chunk the record names, whether or not the bytes hold it: which chunks a tape
      // refers to is the record's to say (a cut-short stream is reported as damaged, once).
      for (const chunk of layout) {
        const key = chunk.digest.toString('latin1');
        if (named.has(key)) continue;
        named.add(key);
        digests.push(chunk.digest);
      }
      for (const part of cutStream(layout, bytes)) {
        const key = part.digest.toString('latin1');
        if (checked.has(key)) continue;
        checked.add(key);
        yield { digest: part.digest, bytes: part.bytes, partOf: read.digest };
      }
    }
  }
}

/** The digests of the stream chunks `record` names (none for a record that cannot be read). */
export function streamDigestsOf(record: Uint8Array): Buffer[] {
  return streamLayoutOf(record).map((chunk) => chunk.digest);
}

/** The stream chunks `record` names, with their sizes (none for a record that cannot be read). */
function streamLayoutOf(record: Uint8Array): readonly { digest: Buffer; size: number }[] {
  try {
    return blobLayoutOf(record).stream ?? [];
  } catch {
    return [];
  }
}

/**
 * The chunks `layout` names, cut from `bytes` by their sizes (sizes past the end give what there
 * is: the reader or `verify` finds the rest missing).
 */
function cutStream(layout: readonly { digest: Buffer; size: number }[], bytes: Uint8Array): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const chunk of layout) {
    if (at + chunk.size > bytes.length) break;
    parts.push({ digest: chunk.digest, bytes: bytes.subarray(at, at + chunk.size) });
    at += chunk.size;
  }
  return parts;
}

/** The chunks of the stream `record` names, cut from `bytes` (see `cutStream`). */
function partsOf(record: Uint8Array, bytes: Uint8Array): Part[] {
  return cutStream(streamLayoutOf(record), bytes);
}
