/**
 * A tape's metadata as a store keeps it: JSON text, outside the fingerprint (two recordings of
 * the same behaviour on different days have equal fingerprints). Outside the proof, but not
 * outside checking: text that is not a tape's metadata is damage, reported by `load` and `verify`.
 */
import type { TapeMetadata } from '@trace/spec';

/** What is wrong with stored metadata text, or undefined when it is a tape's metadata. */
export function metadataProblem(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'its metadata is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'its metadata is not a JSON object';
  }
  const { createdAt } = value as { createdAt?: unknown };
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) {
    return 'its metadata has no ISO 8601 `createdAt`';
  }
  return undefined;
}

/** Stored metadata text read back: the metadata, or the reason it cannot be (for TAPE_DAMAGED). */
export function readMetadata(text: string): { metadata: TapeMetadata } | { problem: string } {
  const problem = metadataProblem(text);
  return problem === undefined ? { metadata: JSON.parse(text) as TapeMetadata } : { problem };
}
