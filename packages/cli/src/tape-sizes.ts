/**
 * How many bytes tapes hold, read through the public store API: every tape is loaded (and so
 * proven) and its bodies and chunks counted, each distinct content once. A store API reporting
 * sizes directly would make this a query (see the package README's "Limits").
 */
import { sha256Hex } from '@trace/spec';
import type { SqliteTapeStore } from '@trace/store-sqlite';
import type { Tape, TapeSummary } from '@trace/tape';
import type { Output } from './io.js';
import { startProgress } from './progress.js';

/** The bodies of one tape: digest → byte length, each distinct content once. */
export function contentOf(tape: Tape): Map<string, number> {
  const content = new Map<string, number>();
  const add = (bytes: Uint8Array) =>
    content.set(tape.bodyDigest(bytes) ?? sha256Hex(bytes), bytes.length);
  for (const event of tape.events) {
    if (event.type !== 'exchange') continue;
    if (event.request.body !== null) add(event.request.body);
    const body = event.response?.body;
    if (body?.kind === 'bytes') add(body.bytes);
    else if (body?.kind === 'stream') for (const chunk of body.chunks) add(chunk.bytes);
  }
  return content;
}

/** Each tape's distinct body bytes, by id. */
export function tapeSizes(
  store: SqliteTapeStore,
  tapes: readonly TapeSummary[],
  out: Output,
): Map<string, number> {
  const sizes = new Map<string, number>();
  const progress = startProgress(out, 'sizing', tapes.length);
  try {
    for (const summary of tapes) {
      let total = 0;
      for (const length of contentOf(store.load(summary.id)).values()) total += length;
      sizes.set(summary.id, total);
      progress.tick();
    }
  } finally {
    progress.stop();
  }
  return sizes;
}
