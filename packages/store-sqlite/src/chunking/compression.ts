/**
 * How a pack's bytes are kept: deflated (raw DEFLATE, RFC 1951, which every Node has) when that
 * makes them shorter, as they are otherwise. The method is stored with the pack so a reader knows
 * how to decode it. Chosen by measurement, on the packs of 2,000 exchanges of chat traffic
 * (8.4 MB of new bytes; bench/chunks.bench.mjs makes the traffic):
 * - Packs of 64 KiB, not one per write: a pack per turn (~4 KiB) took 78 ms to deflate and 20 ms
 *   to inflate and kept 0.31 of the bytes; packs of 64 KiB took 32 ms and 8 ms and kept 0.22
 *   (each zlib call has a fixed cost, and a message compresses better beside the conversation).
 * - zlib level 1: level 6 kept 0.19 but took 133 ms to deflate, four times as long, for a file
 *   some 10% smaller; brotli at quality 1 was faster on small packs but kept 0.33 and inflated
 *   more slowly.
 * - Fewer than WORTH_TRYING bytes are kept as they are: there is little to gain for the call.
 * - A pack that does not shrink is kept as it is (and a recording's loose packs are then left
 *   loose: see ../sqlite/packs.ts).
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

export const STORED = 0;
export const DEFLATE = 1;
export type PackMethod = typeof STORED | typeof DEFLATE;

const WORTH_TRYING = 128;
/** Bytes this long or longer are first tried on their first PROBE bytes (see `compress`). */
const PROBE_ABOVE = 16 * 1024;
const PROBE = 4 * 1024;

const deflate = (raw: Uint8Array) =>
  deflateRawSync(raw, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY });

/**
 * The bytes deflated, when that makes them shorter; as they are otherwise. Long bytes whose first
 * 4 KiB do not shrink by 3% (noise, media, bytes compressed already) are kept as they are without
 * deflating the rest: deflating 64 KiB that does not shrink costs about a millisecond for nothing.
 */
export function compress(raw: Uint8Array): { method: PackMethod; data: Uint8Array } {
  if (raw.length < WORTH_TRYING) return { method: STORED, data: raw };
  if (raw.length >= PROBE_ABOVE && deflate(raw.subarray(0, PROBE)).length > 0.97 * PROBE) {
    return { method: STORED, data: raw };
  }
  const deflated = deflate(raw);
  return deflated.length < raw.length
    ? { method: DEFLATE, data: deflated }
    : { method: STORED, data: raw };
}

/** The bytes `data` keeps; throws (a zlib error, or RangeError) when it cannot be decoded. */
export function decompress(method: number, data: Uint8Array, size: number): Uint8Array {
  if (method === STORED) {
    if (data.length !== size) throw new RangeError(`${data.length} bytes stored, not ${size}`);
    return data;
  }
  if (method === DEFLATE) {
    const raw = inflateRawSync(data, { maxOutputLength: Math.max(size, 1) });
    if (raw.length !== size) throw new RangeError(`inflated to ${raw.length} bytes, not ${size}`);
    return raw;
  }
  throw new RangeError(`unknown method ${method}`);
}
