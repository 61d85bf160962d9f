/**
 * A tape's blobs as a reader holds them: copied into a few large buffers (one object per blob
 * would cost more memory than many blobs' bytes), each found by its SHA-256 digest.
 *
 * The digest index is built for speed on tens of thousands of blobs: digests are kept as bytes
 * in one buffer and looked up by their first bytes, so that matching a record's reference to a
 * blob makes no string and no object.
 */
import { sha256Hex } from '@trace/spec';

function sizeOf(blob: Uint8Array | readonly Uint8Array[]): number {
  if (blob instanceof Uint8Array) return blob.length;
  let size = 0;
  for (let i = 0; i < blob.length; i++) size += (blob[i] as Uint8Array).length;
  return size;
}

/** Blobs are packed into buffers of at most this size (a larger blob gets one of its own). */
const SLAB_BYTES = 64 * 1024 * 1024;
const DIGEST = 32;

export class BlobArena {
  readonly #slabs: ArrayBuffer[] = [];
  #slabOf: number[] | Uint32Array = [];
  #start: number[] | Uint32Array = [];
  #length: number[] | Uint32Array = [];
  /** Lookup, dropped by `seal`: entries by a 31-bit prefix of their digest, chained. */
  #byPrefix: Map<number, number> | undefined = new Map();
  #next: number[] = [];
  #digests: Buffer = Buffer.alloc(0);

  /**
   * Copies `blobs` in, each under the digest it hashes to (hashed once, here), into one buffer
   * of exactly their size (every byte written: nothing else is in it). A blob may come in parts
   * (a store that keeps blobs in chunks): the parts, in order, are the blob, joined here without
   * another copy. A store hands a blob once; one handed twice is kept twice, and found once.
   */
  add(blobs: readonly (Uint8Array | readonly Uint8Array[])[]): void {
    const sizes = blobs.map(sizeOf);
    let i = 0;
    while (i < blobs.length) {
      let size = 0;
      let end = i;
      while (end < blobs.length && (end === i || size + sizes[end]! <= SLAB_BYTES)) {
        size += sizes[end++]!;
      }
      const slab = Buffer.allocUnsafeSlow(size);
      let at = 0;
      for (let b = i; b < end; b++) {
        const blob = blobs[b]!;
        if (blob instanceof Uint8Array) slab.set(blob, at);
        else {
          // Indexed: an iterator would allocate for every part of every blob.
          let into = at;
          for (let p = 0; p < blob.length; p++) {
            const part = blob[p] as Uint8Array;
            slab.set(part, into);
            into += part.length;
          }
        }
        at += sizes[b]!;
      }
      this.adopt(slab, sizes.slice(i, end));
      i = end;
    }
  }

  /**
   * Takes `bytes` as they are, without a copy: blobs laid end to end, `sizes[i]` bytes each, in
   * order, each kept under the digest it hashes to. The caller must not change `bytes` after.
   */
  adopt(bytes: Uint8Array, sizes: readonly number[]): void {
    let total = 0;
    for (let i = 0; i < sizes.length; i++) total += sizes[i]!;
    if (total > bytes.length) {
      throw new RangeError(`blobs of ${total} bytes in all cannot lie in ${bytes.length} bytes`);
    }
    this.#reserve(sizes.length);
    const slabIndex = this.#slabs.push(bytes.buffer as ArrayBuffer) - 1;
    let at = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      const entry = this.#next.length;
      const blob = bytes.subarray(at, at + size);
      this.#digests.write(sha256Hex(blob), entry * DIGEST, DIGEST, 'hex');
      const prefix = this.#digests.readInt32BE(entry * DIGEST) >> 1;
      this.#next.push(this.#byPrefix?.get(prefix) ?? -1);
      this.#byPrefix?.set(prefix, entry);
      (this.#slabOf as number[]).push(slabIndex);
      (this.#start as number[]).push(bytes.byteOffset + at);
      (this.#length as number[]).push(size);
      at += size;
    }
  }

  /** The entry whose digest is the 32 bytes of `view` at `at`, or -1. */
  find(view: Buffer, at: number): number {
    const prefix = view.readInt32BE(at) >> 1;
    for (let k = this.#byPrefix?.get(prefix) ?? -1; k !== -1; k = this.#next[k]!) {
      if (view.compare(this.#digests, k * DIGEST, k * DIGEST + DIGEST, at, at + DIGEST) === 0) {
        return k;
      }
    }
    return -1;
  }

  /** How many bytes entry `entry` holds. */
  size(entry: number): number {
    return this.#length[entry]!;
  }

  /** The bytes of entry `entry`, as a view into the arena. */
  view(entry: number): Uint8Array {
    return new Uint8Array(
      this.#slabs[this.#slabOf[entry]!]!,
      this.#start[entry]!,
      this.#length[entry]!,
    );
  }

  /** Done adding and finding: the lookup goes, placement is packed into typed arrays. */
  seal(): void {
    this.#byPrefix = undefined;
    this.#next = [];
    this.#digests = Buffer.alloc(0);
    this.#slabOf = Uint32Array.from(this.#slabOf);
    this.#start = Uint32Array.from(this.#start);
    this.#length = Uint32Array.from(this.#length);
  }

  /** Room in the digest buffer for `more` entries. */
  #reserve(more: number): void {
    const needed = (this.#next.length + more) * DIGEST;
    if (needed <= this.#digests.length) return;
    const grown = Buffer.alloc(Math.max(needed, this.#digests.length * 2));
    this.#digests.copy(grown);
    this.#digests = grown;
  }
}
