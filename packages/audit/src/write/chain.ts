import { AUDIT_ENTRY_VERSION, type AuditEntry, type AuditPayload } from '@trace/spec';
import { digest, entryBody, entryLine } from '../entry.js';

/** The last link of a chain: seq 0 and 64 zeros before the first entry. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** What a chain step needs of an entry: everything but its place in the chain. */
export interface ChainInput {
  readonly ts: string;
  readonly type: string;
  readonly session: string | undefined;
  /** The canonical JSON of `payload`, as the line will hold it. */
  readonly payloadJson: string;
  readonly payload: AuditPayload;
}

/** One step of the chain: the line to store, the entry it holds, and the new head. */
export interface ChainLink {
  /** The stored line, without its newline. */
  readonly line: string;
  readonly entry: AuditEntry;
  readonly head: ChainHead;
}

/**
 * Appends one entry to the chain whose head is `head`: seq + 1, `prev` = the head's hash, hash =
 * SHA-256 (HMAC-SHA-256 under `key`) of the canonical entry without `hash`. Pure: no clock, no
 * I/O, no state, so the format can be checked against the test vectors on its own.
 */
export function chainStep(head: ChainHead, input: ChainInput, key: Buffer | undefined): ChainLink {
  const seq = head.seq + 1;
  const prev = head.hash;
  const body = entryBody(
    input.payloadJson,
    prev,
    seq,
    input.session,
    input.ts,
    JSON.stringify(input.type),
  );
  const hash = digest(body, key);
  const entry: AuditEntry =
    input.session === undefined
      ? {
          v: AUDIT_ENTRY_VERSION,
          seq,
          ts: input.ts,
          type: input.type,
          payload: input.payload,
          prev,
          hash,
        }
      : {
          v: AUDIT_ENTRY_VERSION,
          seq,
          ts: input.ts,
          type: input.type,
          session: input.session,
          payload: input.payload,
          prev,
          hash,
        };
  return { line: entryLine(body, hash), entry, head: { seq, hash } };
}
