/** A Buffer over the same memory, without a copy: what better-sqlite3 binds as a BLOB. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
