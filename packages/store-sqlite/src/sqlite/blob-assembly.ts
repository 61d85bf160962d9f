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

/** Whether a value read from a row can be a size or an offset: a whole number, not negative. */
const isPlace = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/**
 * Chunks' places, by id, for many ids at little cost: in arrays over the ids from the least (when
 * they lie close together), or over the rows found, by a map from id (when they do not), so that
 * memory follows the number of chunks, never the values of their ids. A row whose place cannot be
 * one (a negative or fractional size or offset: damage) is not kept: its chunk reads as missing.
 */
export class ChunkLocations {
  readonly #least: number;
  readonly #positions: Map<number, number> | undefined;
  readonly #pack: Float64Array;
  readonly #offset: Float64Array;
  readonly #size: Float64Array;

  /** Rows of ids from `least` to `least + span - 1`, kept by id. */
  static dense(least: number, span: number, rows: readonly ChunkPlace[]): ChunkLocations {
    return new ChunkLocations(least, span, rows, undefined);
  }

  /** Rows of any ids, kept in the order found. */
  static sparse(rows: readonly ChunkPlace[]): ChunkLocations {
    const positions = new Map<number, number>();
    for (let i = 0; i < rows.length; i++) positions.set((rows[i] as ChunkPlace)[0], i);
    return new ChunkLocations(0, rows.length, rows, positions);
  }

  private constructor(
    least: number,
    span: number,
    rows: readonly ChunkPlace[],
    positions: Map<number, number> | undefined,
  ) {
    this.#least = least;
    this.#positions = positions;
    this.#pack = new Float64Array(span).fill(-1);
    this.#offset = new Float64Array(span);
    this.#size = new Float64Array(span);
    // Indexed loops here and below: they run once per read, too few times to be optimised, and
    // an iterator would allocate for every element.
    for (let i = 0; i < rows.length; i++) {
      const [id, size, pack, offset] = rows[i] as ChunkPlace;
      const at = positions === undefined ? id - least : i;
      if (at < 0 || at >= span || !isPlace(size) || !isPlace(pack) || !isPlace(offset)) continue;
      this.#pack[at] = pack;
      this.#offset[at] = offset;
      this.#size[at] = size;
    }
  }

  #at(id: number): number {
    return this.#positions === undefined ? id - this.#least : (this.#positions.get(id) ?? -1);
  }

  /** The packs the chunks `lists` name are in. */
  packsOf(lists: Iterable<readonly number[]>): Set<number> {
    const packs = new Set<number>();
    for (const list of lists) {
      for (let c = 0; c < list.length; c++) {
        const pack = this.pack(list[c] as number);
        if (pack >= 0) packs.add(pack);
      }
    }
    return packs;
  }

  /** The size of chunk `id`, or -1 when there is no such chunk. */
  size(id: number): number {
    return this.pack(id) < 0 ? -1 : (this.#size[this.#at(id)] as number);
  }

  /** The pack chunk `id` is in, or -1 when there is no such chunk. */
  pack(id: number): number {
    return this.#pack[this.#at(id)] ?? -1;
  }

  /** Where chunk `id` starts in its pack. */
  offset(id: number): number {
    return this.#offset[this.#at(id)] as number;
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
 * before the next join). A blob's bytes are read only when all its parts are there and add up to
 * its size; otherwise — a chunk or a pack missing, a size or an offset damaged, bytes past a
 * pack's end — it reads as nothing (or is cut short, its rest left as zeros), so it no longer
 * hashes to its digest: damage for the reader to refuse and `verify` to locate, never a crash,
 * never a buffer sized by a damaged row, and never bytes that are not the blob's own.
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
    let whole = isPlace(row.size);
    if (list === undefined) {
      const pack = packs.get(row.pack as number);
      whole &&= pack !== undefined && isPlace(row.offset) && row.offset + row.size <= pack.length;
    } else {
      let found = 0;
      for (let c = 0; c < list.length && whole; c++) {
        const size = chunks.size(list[c] as number);
        whole = size >= 0;
        found += size;
      }
      whole &&= found === row.size;
    }
    const size = whole ? row.size : 0;
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
    if (end === start) continue;
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
