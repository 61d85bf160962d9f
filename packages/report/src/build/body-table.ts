/**
 * Bodies for a page, each kept once however often it recurs (the SDKs resend the whole
 * conversation on every turn, so requests repeat their predecessors' text; identical chunks
 * recur too): an entry per distinct byte string, text as `t:<text>` and other bytes as
 * `b:<base64>`.
 */
import { createHash } from 'node:crypto';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class BodyTable {
  readonly entries: string[] = [];
  readonly #byDigest = new Map<string, number>();

  /** The entry for `bytes`, added when it is new. */
  add(bytes: Uint8Array): number {
    const digest = createHash('sha256').update(bytes).digest('base64');
    const known = this.#byDigest.get(digest);
    if (known !== undefined) return known;
    let entry: string;
    try {
      entry = `t:${utf8.decode(bytes)}`;
    } catch {
      entry = `b:${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
    }
    const index = this.entries.push(entry) - 1;
    this.#byDigest.set(digest, index);
    return index;
  }
}
