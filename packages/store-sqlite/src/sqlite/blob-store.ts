/**
 * Blobs kept in chunks (format version 6). A blob is a row under its SHA-256 — the digest its
 * records name, so identity and the fingerprint are unchanged — whose bytes are either inline
 * (a blob of one chunk) or the list of the chunks it is made of, each chunk stored once per store
 * under its own SHA-256 and compressed when that makes it smaller (see ../chunking). The list is
 * packed into the blob's row (unsigned LEB128 chunk ids): a request that re-sends fifty messages
 * costs about a hundred bytes of list, not fifty rows. Deleting blobs collects the chunks no
 * remaining list names (the lists are small enough to read whole; a count kept per chunk would
 * cost a write for every chunk a blob is made of).
 */
import { sha256 } from '@trace/spec';
import type Database from 'better-sqlite3';
import { chunkBlob } from '../chunking/chunker.js';
import { decodeChunk, encodeChunk } from '../chunking/compression.js';

interface BlobRow {
  id: number;
  digest: Buffer;
  size: number;
  /** How `data` keeps the bytes (see compression.ts); null: `data` is the packed chunk list. */
  method: number | null;
  data: Buffer;
}

interface ChunkRow {
  id: number;
  digest: Buffer;
  size: number;
  method: number;
  data: Buffer;
}

/**
 * Chunk ids a recording has made or found, by digest, so that a chunk its tape already uses is
 * not looked up again: what an append adds is staged, and kept only once its transaction commits
 * (an id from a rolled-back append names nothing). A chunk a tape's blobs use stays while the tape
 * does, so a kept id stays good for the recording's life.
 */
export class ChunkMemo {
  readonly #committed = new Map<string, number>();
  readonly #staged = new Map<string, number>();

  get(key: string): number | undefined {
    return this.#committed.get(key) ?? this.#staged.get(key);
  }

  stage(key: string, id: number): void {
    this.#staged.set(key, id);
  }

  commit(): void {
    for (const [key, id] of this.#staged) this.#committed.set(key, id);
    this.#staged.clear();
  }

  discard(): void {
    this.#staged.clear();
  }
}

/**
 * A blob as read back: its id, the digest it is stored under, and its bytes as the parts that
 * make them, in order (one for an inline blob): joined only where a caller needs them whole.
 */
export interface ReadBlob {
  readonly id: number;
  readonly digest: Buffer;
  readonly parts: readonly Uint8Array[];
}

/** A blob's bytes, whole. */
export function bytesOfBlob(blob: ReadBlob): Uint8Array {
  return blob.parts.length === 1 ? (blob.parts[0] as Uint8Array) : Buffer.concat(blob.parts);
}

export class BlobStore {
  readonly #blobByDigest: Database.Statement<[Uint8Array], BlobRow>;
  readonly #blobIdByDigest: Database.Statement<[Uint8Array], number>;
  readonly #blobById: Database.Statement<[number], BlobRow>;
  readonly #insertBlob: Database.Statement<[Buffer, number, number | null, Buffer]>;
  readonly #chunkIdByDigest: Database.Statement<[Buffer], number>;
  readonly #insertChunk: Database.Statement<[Buffer, number, number, Buffer]>;
  readonly #chunksByIds: Database.Statement<[string], ChunkRow>;
  readonly #blobsOfTape: Database.Statement<[string], BlobRow>;
  readonly #unsharedOf: Database.Statement<[{ id: string }], BlobRow>;
  readonly #deleteBlob: Database.Statement<[number]>;
  readonly #deleteChunk: Database.Statement<[number]>;
  readonly #allBlobs: Database.Statement<[], BlobRow>;
  readonly #chunkedBlobs: Database.Statement<[], BlobRow>;
  readonly #allChunks: Database.Statement<[], ChunkRow>;

  constructor(db: Database.Database) {
    this.#blobByDigest = db.prepare('SELECT * FROM blobs WHERE digest = ?');
    // Whether a blob is held already: its id only, not its bytes (on every append).
    this.#blobIdByDigest = db
      .prepare<[Uint8Array], number>('SELECT id FROM blobs WHERE digest = ?')
      .pluck();
    this.#blobById = db.prepare('SELECT * FROM blobs WHERE id = ?');
    this.#insertBlob = db.prepare(
      'INSERT INTO blobs (digest, size, method, data) VALUES (?, ?, ?, ?)',
    );
    this.#chunkIdByDigest = db
      .prepare<[Buffer], number>('SELECT id FROM chunks WHERE digest = ?')
      .pluck();
    this.#insertChunk = db.prepare(
      'INSERT INTO chunks (digest, size, method, data) VALUES (?, ?, ?, ?)',
    );
    // Many chunks in one query, whatever their number: the ids as one JSON array.
    this.#chunksByIds = db.prepare(
      'SELECT * FROM chunks WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.#blobsOfTape = db.prepare(
      'SELECT b.* FROM tape_blobs t JOIN blobs b ON b.id = t.blob_id WHERE t.tape_id = ?',
    );
    this.#unsharedOf = db.prepare(
      `SELECT b.* FROM tape_blobs t JOIN blobs b ON b.id = t.blob_id WHERE t.tape_id = @id
       AND NOT EXISTS (SELECT 1 FROM tape_blobs r WHERE r.blob_id = t.blob_id AND r.tape_id <> @id)`,
    );
    this.#deleteBlob = db.prepare('DELETE FROM blobs WHERE id = ?');
    this.#deleteChunk = db.prepare('DELETE FROM chunks WHERE id = ?');
    this.#allBlobs = db.prepare('SELECT * FROM blobs ORDER BY id');
    this.#chunkedBlobs = db.prepare('SELECT * FROM blobs WHERE method IS NULL');
    this.#allChunks = db.prepare('SELECT * FROM chunks');
  }

  /**
   * Stores `bytes` (once per store: a blob held already is found by its digest) and returns its
   * id. `digest`, when the caller has it, is the bytes' SHA-256; `memo` spares a recording the
   * lookups of chunks its tape already uses.
   */
  put(bytes: Uint8Array, digest: Buffer = sha256(bytes), memo?: ChunkMemo): number {
    const held = this.#blobIdByDigest.get(digest);
    if (held !== undefined) return held;
    const chunks = chunkBlob(bytes);
    if (chunks.length <= 1) {
      const { method, data } = encodeChunk(bytes);
      return Number(
        this.#insertBlob.run(digest, bytes.length, method, asBuffer(data)).lastInsertRowid,
      );
    }
    const ids = chunks.map((chunk) => this.#putChunk(chunk, memo));
    return Number(this.#insertBlob.run(digest, bytes.length, null, packIds(ids)).lastInsertRowid);
  }

  /** Stores a chunk once per store; returns its id. */
  #putChunk(raw: Uint8Array, memo: ChunkMemo | undefined): number {
    const digest = sha256(raw);
    const key = digest.toString('latin1');
    const known = memo?.get(key);
    if (known !== undefined) return known;
    let id = this.#chunkIdByDigest.get(digest);
    if (id === undefined) {
      const { method, data } = encodeChunk(raw);
      id = Number(
        this.#insertChunk.run(digest, raw.length, method, asBuffer(data)).lastInsertRowid,
      );
    }
    memo?.stage(key, id);
    return id;
  }

  /** The bytes stored under `digest`, reassembled, or undefined when there is no such blob. */
  byDigest(digest: Uint8Array): Uint8Array | undefined {
    const row = this.#blobByDigest.get(digest);
    const blob = row === undefined ? undefined : this.#read([row])[0];
    return blob === undefined ? undefined : bytesOfBlob(blob);
  }

  /** The blob `id`, reassembled. */
  byId(id: number): ReadBlob | undefined {
    const row = this.#blobById.get(id);
    return row === undefined ? undefined : this.#read([row])[0];
  }

  /** Every blob tape `id` refers to, reassembled: two queries, whatever their number. */
  ofTape(id: string): ReadBlob[] {
    return this.#read(this.#blobsOfTape.all(id));
  }

  /**
   * Every blob of the store, reassembled, streamed in id order, a few hundred at a time; chunks
   * decoded once while `cache` holds them (the chunks a verify pass just hashed, say).
   */
  *all(cache = new ChunkCache()): Generator<ReadBlob> {
    let batch: BlobRow[] = [];
    for (const row of this.#allBlobs.iterate()) {
      batch.push(row);
      if (batch.length === 256) {
        yield* this.#read(batch, cache);
        batch = [];
      }
    }
    yield* this.#read(batch, cache);
  }

  /**
   * Every chunk, decoded (undefined bytes when it cannot be), with the blobs made from it (found
   * only when asked: for a damaged chunk). Decoded chunks are kept in `cache` for `all`.
   */
  *chunks(
    cache = new ChunkCache(),
  ): Generator<{ digest: Buffer; bytes: Uint8Array | undefined; blobs: () => Buffer[] }> {
    for (const chunk of this.#allChunks.iterate()) {
      const bytes = tryDecode(chunk.method, chunk.data, chunk.size);
      if (bytes !== undefined) cache.set(chunk.id, bytes);
      yield { digest: chunk.digest, bytes, blobs: () => this.#blobsMadeOf(chunk.id) };
    }
  }

  #blobsMadeOf(chunk: number): Buffer[] {
    const digests: Buffer[] = [];
    for (const blob of this.#chunkedBlobs.iterate())
      if (unpackIds(blob.data).includes(chunk)) digests.push(blob.digest);
    return digests;
  }

  /**
   * Removes the blobs tape `id` refers to that no other tape does, and the chunks no remaining
   * blob is made from; returns the number of blobs removed. Run before the tape's references go.
   */
  removeUnshared(id: string): number {
    const doomed = this.#unsharedOf.all({ id });
    const candidates = new Set<number>();
    for (const blob of doomed) {
      this.#deleteBlob.run(blob.id);
      if (blob.method === null) for (const chunk of unpackIds(blob.data)) candidates.add(chunk);
    }
    if (candidates.size > 0) {
      for (const blob of this.#chunkedBlobs.iterate()) {
        for (const chunk of unpackIds(blob.data)) candidates.delete(chunk);
        if (candidates.size === 0) break;
      }
      for (const chunk of candidates) this.#deleteChunk.run(chunk);
    }
    return doomed.length;
  }

  /** `rows` reassembled, in order: the chunks of every chunked one fetched in one query. */
  #read(rows: readonly BlobRow[], cache?: ChunkCache): ReadBlob[] {
    const chunks = new Map<number, Uint8Array>();
    const wanted: number[] = [];
    for (const row of rows) {
      if (row.method !== null) continue;
      for (const id of unpackIds(row.data)) {
        if (chunks.has(id)) continue;
        const cached = cache?.get(id);
        if (cached === undefined) wanted.push(id);
        chunks.set(id, cached ?? EMPTY);
      }
    }
    if (wanted.length > 0) {
      for (const chunk of this.#chunksByIds.iterate(JSON.stringify(wanted))) {
        const bytes = tryDecode(chunk.method, chunk.data, chunk.size) ?? EMPTY;
        chunks.set(chunk.id, bytes);
        cache?.set(chunk.id, bytes);
      }
    }
    return rows.map((row) => ({ id: row.id, digest: row.digest, parts: partsOf(row, chunks) }));
  }
}

/**
 * Decoded chunks kept for reuse, up to a budget of bytes (the oldest dropped first): a store's
 * chunks are shared by many blobs, and decoding one again costs more than keeping it.
 */
export class ChunkCache {
  readonly #chunks = new Map<number, Uint8Array>();
  #bytes = 0;

  constructor(readonly budget = 64 * 1024 * 1024) {}

  get(id: number): Uint8Array | undefined {
    return this.#chunks.get(id);
  }

  set(id: number, bytes: Uint8Array): void {
    if (this.#chunks.has(id) || bytes.length > this.budget) return;
    this.#chunks.set(id, bytes);
    this.#bytes += bytes.length;
    for (const [oldest, dropped] of this.#chunks) {
      if (this.#bytes <= this.budget) break;
      this.#chunks.delete(oldest);
      this.#bytes -= dropped.length;
    }
  }
}

/**
 * A blob's parts: its inline bytes decoded, or its chunks. A chunk that is missing or cannot be
 * decoded reads as nothing, so the blob no longer hashes to its digest: damage for the reader to
 * refuse and `verify` to locate, never a crash.
 */
function partsOf(row: BlobRow, chunks: ReadonlyMap<number, Uint8Array>): Uint8Array[] {
  if (row.method !== null) return [tryDecode(row.method, row.data, row.size) ?? EMPTY];
  return unpackIds(row.data).map((id) => chunks.get(id) ?? EMPTY);
}

const EMPTY = new Uint8Array(0);

function tryDecode(method: number, data: Uint8Array, size: number): Uint8Array | undefined {
  try {
    return decodeChunk(method, data, size);
  } catch {
    return undefined;
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

function unpackIds(data: Uint8Array): number[] {
  const ids: number[] = [];
  let id = 0;
  let scale = 1;
  for (const byte of data) {
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

/** A Buffer over the same memory, without a copy: what better-sqlite3 binds as a BLOB. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
