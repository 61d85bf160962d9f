/**
 * SHA-256, the one hash of the toolkit: content addresses, fingerprints, request matching and the
 * audit chain all use it.
 */
// A namespace import: `crypto.hash` exists only from Node 20.12, and a named import of it would
// fail to load on earlier versions.
import * as crypto from 'node:crypto';

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: readonly (string | Uint8Array)[]): Buffer {
  if (parts.length === 1 && oneShot !== undefined) return oneShot('sha256', parts[0]!, 'buffer');
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Lower-case hex SHA-256 of `data` (a string is hashed as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot !== undefined
    ? oneShot('sha256', data, 'hex')
    : crypto.createHash('sha256').update(data).digest('hex');
}

/** Lower-case hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * `crypto.hash` (Node 20.12 and later) hashes in one call without building a Hash object, which is
 * most of the cost of hashing a short input; older versions fall back to `createHash`.
 */
const oneShot = (
  crypto as unknown as {
    hash?: {
      (algorithm: string, data: string | Uint8Array, encoding: 'hex'): string;
      (algorithm: string, data: string | Uint8Array, encoding: 'buffer'): Buffer;
    };
  }
).hash;
