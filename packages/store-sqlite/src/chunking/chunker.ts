/**
 * How a blob is cut into chunks, each stored once per store under its SHA-256: a JSON object
 * body at the spans that repeat from one request to the next (json-spans.ts), anything else —
 * and any span longer than the largest chunk — by content-defined chunking (cdc.ts). The chunks,
 * in order, are the blob's bytes exactly.
 *
 * A piece shorter than MIN_PIECE joins the piece after it: what lies between spans (`,`, `],"tools":[`)
 * goes with the message that follows, which keeps that message's chunk the same in every turn
 * after, and a tiny message does not cost a chunk of its own.
 */
import { CDC_MAX, cdcCuts } from './cdc.js';
import { jsonSpans } from './json-spans.js';

const MIN_PIECE = 64;

/** The chunks of `bytes`, as views of it (no copy), in order. */
export function chunkBlob(bytes: Uint8Array): Uint8Array[] {
  const cuts = cutsOf(bytes);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  return chunks;
}

/** The end of each chunk, in order; the last is `bytes.length` (none for an empty blob). */
export function cutsOf(bytes: Uint8Array): number[] {
  if (bytes.length === 0) return [];
  const spans = bytes.length > MIN_PIECE ? jsonSpans(bytes) : undefined;
  if (spans === undefined || spans.length === 0) return cdcCuts(bytes, 0, bytes.length);
  // Every span's start and end, then the small pieces joined to what follows them.
  const bounds = new Set<number>([bytes.length]);
  for (const [start, end] of spans) {
    bounds.add(start);
    bounds.add(end);
  }
  bounds.delete(0);
  const cuts: number[] = [];
  let start = 0;
  for (const bound of [...bounds].sort((a, b) => a - b)) {
    if (bound - start < MIN_PIECE && bound !== bytes.length) continue;
    // A long piece is cut further by content, so that a huge message still deduplicates in part.
    if (bound - start > CDC_MAX) cuts.push(...cdcCuts(bytes, start, bound));
    else cuts.push(bound);
    start = bound;
  }
  return cuts;
}
