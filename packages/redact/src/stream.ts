/**
 * Streamed bodies: the chunks are read as one text, so a secret split across chunk boundaries is
 * found whole, and the edits are mapped back onto the chunks. The chunk count and every offset stay;
 * a placeholder lands in the chunk where its secret starts, and the rest of the secret's bytes are
 * removed from the chunks they arrived in (a chunk may end up empty).
 */
import type { Chunk } from '@trace/spec';
import { type Edit, latin1Bytes, latin1Text } from './edits.js';

/** The chunks' bytes as one latin1 text. */
export function streamText(chunks: readonly Chunk[]): string {
  if (chunks.length === 1) return latin1Text(chunks[0]!.bytes);
  return Buffer.concat(chunks.map((c) => c.bytes)).toString('latin1');
}

/** `chunks` with `edits` (over their joined text, in order, not overlapping) applied. */
export function applyEditsToChunks(
  chunks: readonly Chunk[],
  text: string,
  edits: readonly Edit[],
): Chunk[] {
  const out: Chunk[] = [];
  let next = 0;
  let chunkStart = 0;
  for (const chunk of chunks) {
    const chunkEnd = chunkStart + chunk.bytes.byteLength;
    if (next >= edits.length || edits[next]!.start >= chunkEnd) {
      out.push(chunk);
      chunkStart = chunkEnd;
      continue;
    }
    let piece = '';
    let at = chunkStart;
    while (next < edits.length && edits[next]!.start < chunkEnd) {
      const edit = edits[next]!;
      if (edit.start >= at) piece += text.slice(at, edit.start);
      // An edit that started in an earlier chunk left its placeholder there.
      if (edit.start >= chunkStart) piece += edit.text;
      at = Math.max(at, edit.end);
      // An edit running past this chunk also removes bytes from the next one.
      if (edit.end > chunkEnd) break;
      next++;
    }
    if (at < chunkEnd) piece += text.slice(at, chunkEnd);
    out.push({ offsetMs: chunk.offsetMs, bytes: latin1Bytes(piece) });
    chunkStart = chunkEnd;
  }
  return out;
}
