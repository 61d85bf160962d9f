/**
 * How a chunk is kept: deflated (raw DEFLATE, RFC 1951, which every Node has) when that makes it
 * smaller, as it is otherwise. The method is stored with the chunk so a reader knows how to
 * decode it. Chosen by measurement (bench/chunks.bench.mjs, and the figures in the README):
 * - zlib level 6 compressed chat JSON to 0.447 of its size against 0.461 at level 1, and was
 *   no slower on chunks of a few hundred bytes (each call's fixed cost dominates); brotli at a
 *   similar speed kept 0.47–0.52.
 * - Only chunks of 2 KiB and more are tried: each zlib call costs some 10 µs (inflate) to 35 µs
 *   (deflate) whatever the size, which on a message of a few hundred bytes made recording 1.5×
 *   and loading 2.8× as slow as the format before, for little saved; from 2 KiB on (system
 *   prompts, tool lists, streams, large bodies, content-defined chunks) it pays.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

export const STORED = 0;
export const DEFLATE = 1;
export type ChunkMethod = typeof STORED | typeof DEFLATE;

/** Chunks shorter than this are kept as they are (see above). */
const WORTH_TRYING = 2048;

export function encodeChunk(raw: Uint8Array): { method: ChunkMethod; data: Uint8Array } {
  if (raw.length >= WORTH_TRYING) {
    const deflated = deflateRawSync(raw, { level: 6, strategy: constants.Z_DEFAULT_STRATEGY });
    if (deflated.length < raw.length) return { method: DEFLATE, data: deflated };
  }
  return { method: STORED, data: raw };
}

/** The chunk's bytes; throws (a zlib error, or RangeError) when `data` cannot be decoded. */
export function decodeChunk(method: number, data: Uint8Array, size: number): Uint8Array {
  if (method === STORED) return data;
  if (method === DEFLATE) {
    const raw = inflateRawSync(data, { maxOutputLength: Math.max(size, 1) });
    if (raw.length !== size) throw new RangeError(`inflated to ${raw.length} bytes, not ${size}`);
    return raw;
  }
  throw new RangeError(`unknown chunk method ${method}`);
}
