/**
 * `length` bytes of the xorshift32 stream of seed `seed` (each byte `x & 0xff`): bytes that do
 * not compress, the same for a seed on every run (the content-defined-chunking vector uses them).
 */
export function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
