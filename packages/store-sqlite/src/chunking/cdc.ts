/**
 * Content-defined chunking: cut points chosen by the bytes around them, with a rolling "gear"
 * hash in the manner of FastCDC (Xia et al., USENIX ATC 2016), so that inserting or removing
 * bytes moves only the cuts near the change, and content that shifts still cuts the same.
 *
 * Normalised chunking: below the average size a cut needs more hash bits to be zero, above it
 * fewer, which pulls chunk sizes toward the average. Sizes are bounded by MIN and MAX.
 */
import { createHash } from 'node:crypto';

export const CDC_MIN = 2 * 1024;
export const CDC_AVERAGE = 8 * 1024;
export const CDC_MAX = 64 * 1024;

/**
 * One pseudo-random 32-bit value per byte value, fixed forever: the cut points are part of the
 * store format (docs/tape-format.md), so the table is derived, not drawn — SHA-256 of
 * "@trace/store-sqlite gear" and the byte, first four bytes, big-endian.
 */
const GEAR = Uint32Array.from({ length: 256 }, (_, byte) =>
  createHash('sha256').update(`@trace/store-sqlite gear ${byte}`).digest().readUInt32BE(0),
);

// The hash shifts left one bit a byte, so its top bits depend on the last bytes read: the masks
// take their bits from the top. 15 bits before the average (harder), 11 after (easier).
const MASK_HARD = topBits(15);
const MASK_EASY = topBits(11);

function topBits(n: number): number {
  return (0xffffffff << (32 - n)) >>> 0;
}

/** The cut points of `bytes[from, to)`: the end of each chunk, the last one `to`. */
export function cdcCuts(bytes: Uint8Array, from: number, to: number): number[] {
  const cuts: number[] = [];
  let start = from;
  while (start < to) {
    start = nextCut(bytes, start, to);
    cuts.push(start);
  }
  return cuts;
}

function nextCut(bytes: Uint8Array, start: number, end: number): number {
  if (end - start <= CDC_MIN) return end;
  const limit = Math.min(end, start + CDC_MAX);
  const normal = Math.min(limit, start + CDC_AVERAGE);
  let hash = 0;
  let i = start + CDC_MIN;
  for (; i < normal; i++) {
    hash = ((hash << 1) + (GEAR[bytes[i] as number] as number)) >>> 0;
    if ((hash & MASK_HARD) === 0) return i + 1;
  }
  for (; i < limit; i++) {
    hash = ((hash << 1) + (GEAR[bytes[i] as number] as number)) >>> 0;
    if ((hash & MASK_EASY) === 0) return i + 1;
  }
  return limit;
}
