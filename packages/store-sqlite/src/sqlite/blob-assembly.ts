/**
 * Reading blobs back (format version 7): a blob's bytes are cut from the packs they were placed
 * in — its own place for an inline blob, each chunk's for a blob in chunks — and laid end to end
 * with the other blobs read with it, in one buffer made for them. Copying straight from the
 * decoded packs — a run of chunks placed one after another at a time — leaves no view and no list
 * per chunk behind (a request of a long conversation is made of dozens), and a tape's reader keeps
 * the buffer as it is (TapeReader.addJoinedBlobs): the bytes are copied once, from the packs to
 * where the tape keeps them.
 */

/** A blob's row, as far as reading it back goes. */
export interface PlacedBlob {
  readonly id: number;
  readonly digest?: Buffer;
  readonly size: number;
  /** Where an inline blob's bytes are; null for a blob in chunks. */
  readonly pack: number | null;
  readonly offset: number | null;
  /** The packed chunk list of a blob in chunks; null for an inline blob. */
  readonly chunks: Buffer | null;
}

/** A chunk's id, size, and place: its pack and offset in it (read as an array: many are read). */
export type ChunkPlace = [id: number, size: number, pack: number, offset: number];

/** Blobs read back together, laid end to end in `bytes`, in order. */
export interface JoinedBlobs {
  readonly bytes: Buffer;
  readonly rows: readonly PlacedBlob[];
  /** Each blob's length in `bytes` (its row's size, unless less of it could be found). */
  readonly sizes: readonly number[];
  readonly starts: readonly number[];
}

/**
 * One buffer joins are made in again and again, for a reader that is done with each join before
 * it asks for the next (verify hashes a blob and keeps none of it): no new memory to allocate and
 * have the system zero for every batch.
 */
export class Scratch {
  #buffer = Buffer.alloc(0);

  /** `size` bytes of zeros, in the buffer (grown as needed): what the last join held is gone. */
  zeroed(size: number): Buffer {
    if (size > this.#buffer.length)
      this.#buffer = Buffer.alloc(Math.max(size, 2 * this.#buffer.length));
    return this.#buffer.subarray(0, size).fill(0);
  }
}

/** Blob `i` of `joined`: a view of its bytes. */
export function blobOf(joined: JoinedBlobs, i: number): Uint8Array {
  const start = joined.starts[i] as number;
  return joined.bytes.subarray(start, start + (joined.sizes[i] as number));
}

/** Chunks' places, by id: arrays over the ids from `least`, for many ids at little cost. */
export class ChunkLocations {
  readonly #least: number;
  readonly #pack: Float64Array;
  readonly #offset: Float64Array;
  readonly #size: Float64Array;

  constructor(least: number, span: number, rows: readonly ChunkPlace[]) {
    this.#least = least;
    this.#pack = new Float64Array(span).fill(-1);
    this.#offset = new Float64Array(span);
    this.#size = new Float64Array(span);
    // Indexed loops here and below: they run once per read, too few times to be optimised, and
    // an iterator would allocate for every element.
    for (let i = 0; i < rows.length; i++) {
      const [id, size, pack, offset] = rows[i] as ChunkPlace;
      const at = id - least;
      if (at < 0 || at >= span) continue;
      this.#pack[at] = pack;
      this.#offset[at] = offset;
      this.#size[at] = size;
    }
  }

  /** The packs the chunks found are in. */
  packs(): Set<number> {
    const packs = new Set<number>();
    let last = -1;
    for (let i = 0; i < this.#pack.length; i++) {
      const pack = this.#pack[i] as number;
      if (pack >= 0 && pack !== last) packs.add(pack);
      last = pack;
    }
    return packs;
  }

  /** The size of chunk `id`, or -1 when there is no such chunk. */
  size(id: number): number {
    return this.pack(id) < 0 ? -1 : (this.#size[id - this.#least] as number);
  }

  /** The pack chunk `id` is in, or -1 when there is no such chunk. */
  pack(id: number): number {
    return this.#pack[id - this.#least] ?? -1;
  }

  /** Where chunk `id` starts in its pack. */
  offset(id: number): number {
    return this.#offset[id - this.#least] as number;
  }
}

/**
 * Copies `size` bytes at `offset` of `pack` into `target` at `at`, if they end by `end`; -1 when
 * they are not there or do not fit.
 */
function copyPlaced(
  pack: Buffer | undefined,
  offset: number,
  size: number,
  target: Buffer,
  at: number,
  end: number,
): number {
  if (pack === undefined || offset + size > pack.length || at + size > end) return -1;
  pack.copy(target, at, offset, offset + size);
  return size;
}

/**
 * Lays `rows` out end to end in one new buffer (or in `scratch`, for a reader done with them
 * before the next join). A blob takes its row's size, or what its parts add up to when that is
 * less (a damaged row never makes a buffer larger than the bytes there are); anything missing — a
 * chunk, a pack, bytes past a pack's end — is left as zeros, so the blob no longer hashes to its
 * digest: damage for the reader to refuse and `verify` to locate, never a crash, and never bytes
 * that are not the blob's own.
 */
export function joinBlobs(
  rows: readonly PlacedBlob[],
  lists: ReadonlyMap<PlacedBlob, readonly number[]>,
  chunks: ChunkLocations,
  packs: ReadonlyMap<number, Buffer>,
  scratch?: Scratch,
): JoinedBlobs {
  const sizes: number[] = [];
  const starts: number[] = [];
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as PlacedBlob;
    const list = lists.get(row);
    let found = 0;
    if (list === undefined) found = packs.get(row.pack as number)?.length ?? 0;
    else for (let c = 0; c < list.length; c++) found += Math.max(chunks.size(list[c] as number), 0);
    const size = Math.min(row.size, found);
    starts.push(total);
    sizes.push(size);
    total += size;
  }
  const bytes = scratch === undefined ? Buffer.alloc(total) : scratch.zeroed(total);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as PlacedBlob;
    const list = lists.get(row);
    const start = starts[r] as number;
    const end = start + (sizes[r] as number);
    if (list === undefined) {
      copyPlaced(
        packs.get(row.pack as number),
        row.offset as number,
        end - start,
        bytes,
        start,
        end,
      );
      continue;
    }
    // Chunks placed one after another in a pack (a turn's new messages are) are copied as one.
    let at = start;
    let runPack = -1;
    let runStart = 0;
    let runSize = 0;
    for (let c = 0; c < list.length; c++) {
      const id = list[c] as number;
      const pack = chunks.pack(id);
      if (pack < 0) break;
      const offset = chunks.offset(id);
      if (pack === runPack && offset === runStart + runSize) {
        runSize += chunks.size(id);
        continue;
      }
      if (runPack >= 0) {
        if (copyPlaced(packs.get(runPack), runStart, runSize, bytes, at, end) < 0) break;
        at += runSize;
      }
      runPack = pack;
      runStart = offset;
      runSize = chunks.size(id);
    }
    if (runPack >= 0) copyPlaced(packs.get(runPack), runStart, runSize, bytes, at, end);
  }
  return { bytes, rows, sizes, starts };
}
