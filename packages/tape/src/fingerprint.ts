/**
 * The fingerprint: a SHA-256 hash chain over the canonical records of a tape's events, in order.
 *
 *   head_0     = SHA-256(UTF-8 "@trace/tape fingerprint v1")
 *   head_(i+1) = SHA-256(head_i || record_i)
 *   fingerprint = lowercase hex of head_n
 *
 * Metadata is outside the chain, so recordings of the same behaviour made on different days or
 * machines share a fingerprint; every byte replay depends on is inside it, directly or through
 * the digests records carry for bodies and chunks.
 */

import type { TapeEvent } from '@trace/spec';
import { sha256, toHex } from '@trace/spec';
import { encodeEvent } from './encoding.js';

export const FINGERPRINT_SEED: Buffer = sha256(Buffer.from('@trace/tape fingerprint v1', 'utf8'));

/** The chain head after one more record. */
export function nextHead(head: Uint8Array, record: Uint8Array): Buffer {
  return sha256(head, record);
}

/**
 * The fingerprint of a sequence of events, as a tape holding them would have: without building
 * the tape or copying any body. Invalid events are refused as `Tape.append` refuses them.
 */
export function fingerprintEvents(events: Iterable<TapeEvent>): string {
  let head: Uint8Array = FINGERPRINT_SEED;
  for (const event of events)
    head = nextHead(head, encodeEvent(event, { copyBytes: false }).record);
  return toHex(head);
}
