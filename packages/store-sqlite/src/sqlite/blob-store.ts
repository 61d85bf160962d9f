/**
 * Blobs kept in chunks (format version 7). A blob is a row under its SHA-256 — the digest its
 * records name, so identity and the fingerprint are unchanged — whose bytes are either inline (a
 * blob of one chunk: placed in a pack) or the list of the chunks it is made of, each chunk stored
 * once per store under its own SHA-256 and placed in a pack (see packs.ts: the new bytes of one
 * write, compressed together). The list is packed into the blob's row (unsigned LEB128 chunk
 * ids): a request that re-sends fifty messages costs about a hundred bytes of list, not fifty
 * rows. Deleting blobs collects the chunks no remaining list names and the packs nothing is
 * placed in any more (the lists are small enough to read whole; a count kept per chunk would
 * cost a write for every chunk a blob is made of).
 */
import { sha256 } from '@trace/spec';
import type Database from 'better-sqlite3';
import { chunkBlob } from '../chunking/chunker.js';
import {
  blobOf,
  ChunkLocations,
  type ChunkPlace,
  type JoinedBlobs,
  joinBlobs,
  type PlacedBlob,
  Scratch,
} from './blob-assembly.js';
import {
  EMPTY,
  joinPacks,
  PACK_MAX,
  PackBuilder,
  type PackCache,
  type PackStatements,
  type Placement,
  preparePackStatements,
  preparePacksByIds,
  readPacks,
} from './packs.js';
import type { RecordingMemo } from './recording-memo.js';

/** A blob as read back: its id and its bytes (a view of the buffer it was read into). */
export interface ReadBlob {
  readonly id: number;
  readonly bytes: Uint8Array;
}

/**
 * One write's blobs: what they add to the store is placed in one pack (or a few, for more than a
 * pack holds), written by `finish`. Run inside the write's transaction.
 */
export interface BlobBatch {
  /** Stores `bytes` once per store (see BlobStore.batch) and returns the blob's id. */
  put(bytes: Uint8Array, digest?: Buffer): number;
  /** Stores a blob under the id it had (the upgrade from format 6, which keeps every id). */
  restore(id: number, bytes: Uint8Array, digest: Buffer): void;
  /** Writes the pack the batch filled. */
  finish(): void;
}

/** How many blobs a batch of a read puts together at a time. */
const BATCH = 256;
/** Up to how many chunk ids are located at once in arrays over their span (24 bytes each). */
const ALL_CHUNKS_AT_ONCE = 4_000_000;

export class BlobStore {
  readonly #packStatements: PackStatements;
  readonly #blobByDigest: Database.Statement<[Uint8Array], PlacedBlob>;
  readonly #blobIdByDigest: Database.Statement<[Uint8Array], number>;
  readonly #blobById: Database.Statement<[number], PlacedBlob>;
  readonly #insertBlob: Database.Statement<
    [number | null, Buffer, number, number | null, number | null, Buffer | null]
  >;
  readonly #chunkIdByDigest: Database.Statement<[Buffer], number>;
  readonly #insertChunk: Database.Statement<[Buffer, number, number, number]>;
  readonly #chunksByIds: Database.Statement<[string], ChunkPlace>;
  readonly #chunksBetween: Database.Statement<[number, number], ChunkPlace>;
  readonly #chunkIdRange: Database.Statement<[], [number | null, number | null]>;
  readonly #chunkRows: Database.Statement<
    [],
    { id: number; digest: Buffer; size: number; pack: number; offset: number }
  >;
  readonly #packsByIds: ReturnType<typeof preparePacksByIds>;
  readonly #blobsOfTape: Database.Statement<[string], PlacedBlob>;
  readonly #unsharedOf: Database.Statement<[{ id: string }], PlacedBlob>;
  readonly #deleteBlob: Database.Statement<[number]>;
  readonly #deleteChunk: Database.Statement<[number]>;
  readonly #packOfChunk: Database.Statement<[number], number>;
  readonly #deletePack: Database.Statement<[number]>;
  readonly #allBlobs: Database.Statement<[], PlacedBlob>;
  readonly #chunkedBlobs: Database.Statement<[], PlacedBlob>;
  readonly #packsInUse: Database.Statement<[], number>;

  constructor(db: Database.Database) {
    this.#packStatements = preparePackStatements(db);
    this.#blobByDigest = db.prepare('SELECT * FROM blobs WHERE digest = ?');
    // Whether a blob is held already: its id only, not its bytes (on every append).
    this.#blobIdByDigest = db
      .prepare<[Uint8Array], number>('SELECT id FROM blobs WHERE digest = ?')
      .pluck();
    this.#blobById = db.prepare('SELECT * FROM blobs WHERE id = ?');
    // The id is given only by the upgrade that keeps each blob's (null: the next rowid).
    this.#insertBlob = db.prepare(
      'INSERT INTO blobs (id, digest, size, pack, offset, chunks) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#chunkIdByDigest = db
      .prepare<[Buffer], number>('SELECT id FROM chunks WHERE digest = ?')
      .pluck();
    this.#insertChunk = db.prepare(
      'INSERT INTO chunks (digest, size, pack, offset) VALUES (?, ?, ?, ?)',
    );
    // Many chunks in one query, whatever their number: the ids as one JSON array.
    this.#chunksByIds = db
      .prepare<[string], ChunkPlace>(
        'SELECT id, size, pack, offset FROM chunks WHERE id IN (SELECT value FROM json_each(?))',
      )
      .raw();
    this.#chunkIdRange = db
      .prepare<[], [number | null, number | null]>('SELECT min(id), max(id) FROM chunks')
      .raw();
    this.#chunksBetween = db
      .prepare<[number, number], ChunkPlace>(
        'SELECT id, size, pack, offset FROM chunks WHERE id BETWEEN ? AND ?',
      )
      .raw();
    this.#packsByIds = preparePacksByIds(db);
    this.#blobsOfTape = db.prepare(
      `SELECT b.id, b.size, b.pack, b.offset, b.chunks
       FROM tape_blobs t JOIN blobs b ON b.id = t.blob_id WHERE t.tape_id = ?`,
    );
    this.#unsharedOf = db.prepare(
      `SELECT b.* FROM tape_blobs t JOIN blobs b ON b.id = t.blob_id WHERE t.tape_id = @id
       AND NOT EXISTS (SELECT 1 FROM tape_blobs r WHERE r.blob_id = t.blob_id AND r.tape_id <> @id)`,
    );
    this.#deleteBlob = db.prepare('DELETE FROM blobs WHERE id = ?');
    this.#deleteChunk = db.prepare('DELETE FROM chunks WHERE id = ?');
    this.#packOfChunk = db
      .prepare<[number], number>('SELECT pack FROM chunks WHERE id = ?')
      .pluck();
    this.#deletePack = db.prepare('DELETE FROM packs WHERE id = ?');
    this.#allBlobs = db.prepare('SELECT * FROM blobs ORDER BY id');
    this.#chunkedBlobs = db.prepare('SELECT * FROM blobs WHERE chunks IS NOT NULL');
    // In id order, which is the order they were placed in packs (a pack's chunks come together,
    // and a verify pass's cache holds a pack while they do), without sorting the table.
    this.#chunkRows = db.prepare('SELECT * FROM chunks');
    this.#packsInUse = db
      .prepare<[], number>(
        'SELECT pack FROM chunks UNION SELECT pack FROM blobs WHERE pack IS NOT NULL',
      )
      .pluck();
  }

  /**
   * A write's blobs: each stored once per store — a blob held already is found by its digest, a
   * chunk by its own — and what is new placed in packs (see packs.ts), written by `finish`.
   * `memo` spares a recording (or a save) the lookups of chunks its tape already uses; with
   * `loose`, a recording's append, the packs are written as they are and noted in `memo`, to be
   * joined by `joinLoose`.
   */
  batch(memo?: RecordingMemo, { loose = false }: { loose?: boolean } = {}): BlobBatch {
    const pack = new PackBuilder(
      this.#packStatements,
      loose && memo !== undefined
        ? (written) => {
            memo.loose = [...memo.loose, written];
          }
        : undefined,
    );
    return {
      put: (bytes, digest = sha256(bytes)) => this.#put(bytes, digest, pack, memo),
      restore: (id, bytes, digest) => {
        this.#put(bytes, digest, pack, memo, id);
      },
      finish: () => pack.flush(),
    };
  }

  /**
   * Joins a recording's loose packs into compressed ones once they come to a pack's worth, or
   * whatever their size when `all` (the recording is finishing). False when a loose pack is no
   * longer as the recording wrote it: the caller refuses the write (its transaction undoes it).
   */
  joinLoose(memo: RecordingMemo, all = false): boolean {
    const loose = memo.loose;
    if (loose.length === 0) return true;
    if (!all && loose.reduce((size, pack) => size + pack.raw.length, 0) < PACK_MAX) return true;
    const left = joinPacks(this.#packStatements, loose, all);
    if (left === undefined) return false;
    memo.loose = left;
    return true;
  }

  #put(
    bytes: Uint8Array,
    digest: Buffer,
    pack: PackBuilder,
    memo: RecordingMemo | undefined,
    id: number | null = null,
  ): number {
    const held = this.#blobIdByDigest.get(digest);
    if (held !== undefined) return held;
    const chunks = chunkBlob(bytes);
    if (chunks.length <= 1) {
      const { pack: packId, offset } = pack.place(bytes);
      const row = Number(
        this.#insertBlob.run(id, digest, bytes.length, packId, offset, null).lastInsertRowid,
      );
      pack.placed('blobs', row, offset);
      return row;
    }
    const known = chunks.map((chunk, i) => ({
      bytes: chunk,
      id: this.#putChunk(chunk, i, pack, memo),
    }));
    memo?.stored(known, bytes);
    const list = packIds(known.map((chunk) => chunk.id));
    return Number(this.#insertBlob.run(id, digest, bytes.length, null, null, list).lastInsertRowid);
  }

  /** Stores a chunk (the `index`th of its blob) once per store; returns its id. */
  #putChunk(
    raw: Uint8Array,
    index: number,
    pack: PackBuilder,
    memo: RecordingMemo | undefined,
  ): number {
    const recent = memo?.recent(index, raw);
    if (recent !== undefined) return recent;
    const digest = sha256(raw);
    const key = digest.toString('latin1');
    const known = memo?.get(key);
    if (known !== undefined) return known;
    let id = this.#chunkIdByDigest.get(digest);
    if (id === undefined) {
      const placed: Placement = pack.place(raw);
      id = Number(
        this.#insertChunk.run(digest, raw.length, placed.pack, placed.offset).lastInsertRowid,
      );
      pack.placed('chunks', id, placed.offset);
    }
    memo?.stage(key, id);
    return id;
  }

  /**
   * The bytes stored under `digest`, or undefined when there is no such blob; `cache` keeps the
   * packs decoded for the next (a reader asking for blob after blob of a base's events).
   */
  byDigest(digest: Uint8Array, cache?: PackCache): Uint8Array | undefined {
    const row = this.#blobByDigest.get(digest);
    return row === undefined ? undefined : blobOf(this.#reading([row], cache)([row]), 0);
  }

  /** The blob `id` (`cache` as for `byDigest`). */
  byId(id: number, cache?: PackCache): ReadBlob | undefined {
    const row = this.#blobById.get(id);
    if (row === undefined) return undefined;
    return { id, bytes: blobOf(this.#reading([row], cache)([row]), 0) };
  }

  /**
   * Every blob tape `id` refers to, in batches (three queries, whatever their number); the blobs
   * `apart` names come last, in batches of their own (a tape's streams, which its reader cuts).
   */
  *ofTape(
    id: string,
    apart: ReadonlySet<number>,
  ): Generator<{ joined: JoinedBlobs; apart: boolean }> {
    const rows = this.#blobsOfTape.all(id);
    const join = this.#reading(rows);
    const groups = [
      rows.filter((row) => !apart.has(row.id)),
      rows.filter((row) => apart.has(row.id)),
    ];
    for (const [g, group] of groups.entries()) {
      for (let start = 0; start < group.length; start += BATCH) {
        yield { joined: join(group.slice(start, start + BATCH)), apart: g === 1 };
      }
    }
  }

  /**
   * Every blob of the store, streamed in id order, a few thousand at a time; packs decoded once
   * while `cache` holds them (the packs a verify pass just read the chunks from, say). A blob's
   * bytes are good until the next batch is read: each batch is joined in the same buffer.
   */
  *all(cache?: PackCache): Generator<ReadBlob & { digest: Buffer }> {
    // Every chunk's place, found once for all the batches (each would find most of them again:
    // a conversation's later blobs are made of its first chunks), unless there are very many.
    const [least, greatest] = this.#chunkIdRange.get() as [number | null, number | null];
    const everywhere =
      least !== null && greatest !== null && greatest - least < ALL_CHUNKS_AT_ONCE
        ? ChunkLocations.dense(
            least,
            greatest - least + 1,
            this.#chunksBetween.all(least, greatest),
          )
        : undefined;
    // Each batch joined in the same buffer: the caller is done with a blob before asking for more.
    const scratch = new Scratch();
    let batch: PlacedBlob[] = [];
    const flush = function* (this: BlobStore, rows: PlacedBlob[]) {
      const joined = this.#reading(rows, cache, everywhere, scratch)(rows);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as PlacedBlob;
        yield { id: row.id, digest: row.digest as Buffer, bytes: blobOf(joined, i) };
      }
    };
    for (const row of this.#allBlobs.iterate()) {
      batch.push(row);
      if (batch.length === 4 * BATCH) {
        yield* flush.call(this, batch);
        batch = [];
      }
    }
    yield* flush.call(this, batch);
  }

  /**
   * Every chunk, its bytes cut from its pack (undefined when they cannot be), with the blobs made
   * from it (found only when asked: for a damaged chunk). Decoded packs are kept in `cache`.
   */
  *chunks(
    cache?: PackCache,
  ): Generator<{ digest: Buffer; bytes: Uint8Array | undefined; blobs: () => Buffer[] }> {
    let packId: number | undefined;
    let pack: Uint8Array = EMPTY;
    for (const chunk of this.#chunkRows.iterate()) {
      if (chunk.pack !== packId) {
        packId = chunk.pack;
        pack = readPacks(this.#packsByIds, [packId], cache).get(packId) ?? EMPTY;
      }
      const end = chunk.offset + chunk.size;
      const bytes = end <= pack.length ? pack.subarray(chunk.offset, end) : undefined;
      yield { digest: chunk.digest, bytes, blobs: () => this.#blobsMadeOf(chunk.id) };
    }
  }

  #blobsMadeOf(chunk: number): Buffer[] {
    const digests: Buffer[] = [];
    for (const blob of this.#chunkedBlobs.iterate())
      if (unpackIds(blob.chunks as Buffer).includes(chunk)) digests.push(blob.digest as Buffer);
    return digests;
  }

  /**
   * Removes the blobs tape `id` refers to that no other tape does, the chunks no remaining blob
   * is made from, and the packs nothing remaining is placed in; returns the number of blobs
   * removed. Run before the tape's references go. A pack something remains in is kept whole.
   */
  removeUnshared(id: string): number {
    const doomed = this.#unsharedOf.all({ id });
    const chunks = new Set<number>();
    const packs = new Set<number>();
    for (const blob of doomed) {
      this.#deleteBlob.run(blob.id);
      if (blob.chunks !== null) for (const chunk of unpackIds(blob.chunks)) chunks.add(chunk);
      else if (blob.pack !== null) packs.add(blob.pack);
    }
    if (chunks.size > 0) {
      for (const blob of this.#chunkedBlobs.iterate()) {
        for (const chunk of unpackIds(blob.chunks as Buffer)) chunks.delete(chunk);
        if (chunks.size === 0) break;
      }
      for (const chunk of chunks) {
        const pack = this.#packOfChunk.get(chunk);
        if (pack !== undefined) packs.add(pack);
        this.#deleteChunk.run(chunk);
      }
    }
    if (packs.size > 0) {
      for (const pack of this.#packsInUse.iterate()) {
        packs.delete(pack);
        if (packs.size === 0) break;
      }
      for (const pack of packs) this.#deletePack.run(pack);
    }
    return doomed.length;
  }

  /**
   * Reads what `rows` are made of — their chunks' places in one query, their packs in another —
   * and returns what lays any of them out (see blob-assembly.ts).
   */
  #reading(
    rows: readonly PlacedBlob[],
    cache?: PackCache,
    located?: ChunkLocations,
    scratch?: Scratch,
  ): (some: readonly PlacedBlob[]) => JoinedBlobs {
    const lists = new Map<PlacedBlob, number[]>();
    for (const row of rows) if (row.chunks !== null) lists.set(row, unpackIds(row.chunks));
    const chunks = located ?? this.#locate([...lists.values()]);
    // The packs these blobs' own chunks are in (`located` may know every chunk of the store).
    const packIds = chunks.packsOf(lists.values());
    for (const row of rows) if (row.pack !== null) packIds.add(row.pack);
    const packs = readPacks(this.#packsByIds, packIds, cache);
    return (some) => joinBlobs(some, lists, chunks, packs, scratch);
  }

  /**
   * Where the chunks the lists name are, in one query: a chunk's id is its row's, and a tape's
   * chunks were mostly made together, so when the ids lie close together (the span from the least
   * to the greatest at most four times their number) the rows between them are read in order,
   * which costs less than finding each; otherwise — and always for a span too long to hold in
   * arrays, as a damaged list may name — the ids are looked up as a list.
   */
  #locate(lists: readonly (readonly number[] | undefined)[]): ChunkLocations {
    let least = Number.POSITIVE_INFINITY;
    let greatest = Number.NEGATIVE_INFINITY;
    let named = 0;
    // Indexed loops: this runs once per read, too few times to be optimised, and an iterator
    // would allocate for every id.
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i];
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j++) {
        const id = list[j] as number;
        if (id < least) least = id;
        if (id > greatest) greatest = id;
      }
      named += list.length;
    }
    if (named === 0) return ChunkLocations.sparse([]);
    const span = greatest - least + 1;
    if (span <= 4 * named && span <= ALL_CHUNKS_AT_ONCE) {
      return ChunkLocations.dense(least, span, this.#chunksBetween.all(least, greatest));
    }
    const ids = new Set<number>();
    for (const list of lists) if (list !== undefined) for (const id of list) ids.add(id);
    return ChunkLocations.sparse(this.#chunksByIds.all(JSON.stringify([...ids])));
  }
}

/** Chunk ids as unsigned LEB128: seven bits a byte, low bits first, the high bit set on all but the last. */
function packIds(ids: readonly number[]): Buffer {
  const bytes: number[] = [];
  for (let id of ids) {
    while (id >= 0x80) {
      bytes.push((id % 0x80) | 0x80);
      id = Math.floor(id / 0x80);
    }
    bytes.push(id);
  }
  return Buffer.from(bytes);
}

export function unpackIds(data: Uint8Array): number[] {
  const ids: number[] = [];
  let id = 0;
  let scale = 1;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] as number;
    id += (byte & 0x7f) * scale;
    if (byte & 0x80) scale *= 0x80;
    else {
      ids.push(id);
      id = 0;
      scale = 1;
    }
  }
  return ids;
}
