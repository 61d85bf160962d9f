import { PLATFORM } from './platform.js';
import { formatUuid, stampUuid, writeV7Timestamp } from './uuid.js';

/**
 * Where fresh values come from: the platform (live) or a seeded PRNG with a virtual clock. The typed
 * draws (ints in a range, UUIDs) are built on these primitives once, in this module, so every
 * generator produces them the same way.
 */
export interface Generator {
  /** Unix-epoch milliseconds, an integer. */
  wallMs(): number;
  /** Milliseconds on a clock that never goes back. */
  monotonicMs(): number;
  /** A double in [0, 1). */
  float(): number;
  /** A uniformly random unsigned 32-bit integer. */
  uint32(): number;
  /** Fills `bytes` with random bytes. */
  fill(bytes: Uint8Array): void;
  /** A random UUIDv4. */
  uuidV4(): string;
}

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;

/** A uniform integer in [min, max] for safe integers, without modulo bias (rejection sampling). */
export function sampleInt(gen: Generator, min: number, max: number): number {
  const range = max - min + 1;
  if (range <= TWO_32) {
    const limit = TWO_32 - (TWO_32 % range);
    for (;;) {
      const x = gen.uint32();
      if (x < limit) return min + (x % range);
    }
  }
  if (range <= TWO_53) {
    const limit = TWO_53 - (TWO_53 % range);
    for (;;) {
      const x = (gen.uint32() >>> 11) * TWO_32 + gen.uint32();
      if (x < limit) return min + (x % range);
    }
  }
  return Number(sampleBigInt(gen, BigInt(min), BigInt(max)));
}

/** A uniform integer in [min, max] of any size (rejection sampling on the range's bit length). */
export function sampleBigInt(gen: Generator, min: bigint, max: bigint): bigint {
  const range = max - min + 1n;
  if (range === 1n) return min;
  const bits = (range - 1n).toString(2).length;
  const words = Math.ceil(bits / 32);
  const topMask = bits % 32 === 0 ? 0xffffffff : 2 ** (bits % 32) - 1;
  for (;;) {
    let x = BigInt((gen.uint32() & topMask) >>> 0);
    for (let i = 1; i < words; i++) x = (x << 32n) | BigInt(gen.uint32());
    if (x < range) return min + x;
  }
}

/** A UUIDv7: the generator's wall clock in the first 48 bits, random bits after. */
export function makeUuidV7(gen: Generator): string {
  const bytes = new Uint8Array(16);
  gen.fill(bytes);
  writeV7Timestamp(bytes, gen.wallMs());
  return formatUuid(stampUuid(bytes, 7));
}

/** The most bytes `crypto.getRandomValues` fills in one call. */
const MAX_FILL = 65536;
const POOL_WORDS = 1024;
const POOL_BYTES = 8192;
/** Draws up to this many bytes are served from the byte pool. */
const SMALL_FILL = 256;

/** The real platform, called through the functions captured before any patching. */
class LiveGenerator implements Generator {
  private readonly pool = new Uint32Array(POOL_WORDS);
  private next = POOL_WORDS;
  private readonly bytePool = new Uint8Array(POOL_BYTES);
  private nextByte = POOL_BYTES;

  wallMs(): number {
    return PLATFORM.dateNow();
  }
  monotonicMs(): number {
    return PLATFORM.performanceNow();
  }
  float(): number {
    return PLATFORM.mathRandom();
  }
  uint32(): number {
    // One getRandomValues call per draw would dominate an int draw; refill a pool instead.
    if (this.next === POOL_WORDS) {
      PLATFORM.getRandomValues(this.pool);
      this.next = 0;
    }
    return this.pool[this.next++]!;
  }
  fill(bytes: Uint8Array): void {
    // Small draws (ids, nonces) come from a pool: a getRandomValues call costs microseconds.
    if (bytes.length <= SMALL_FILL) {
      if (this.nextByte + bytes.length > POOL_BYTES) {
        PLATFORM.getRandomValues(this.bytePool);
        this.nextByte = 0;
      }
      bytes.set(this.bytePool.subarray(this.nextByte, this.nextByte + bytes.length));
      this.nextByte += bytes.length;
      return;
    }
    for (let offset = 0; offset < bytes.length; offset += MAX_FILL) {
      PLATFORM.getRandomValues(bytes.subarray(offset, Math.min(offset + MAX_FILL, bytes.length)));
    }
  }
  uuidV4(): string {
    return PLATFORM.randomUUID();
  }
}

/** The one live generator; it holds no state that matters between draws. */
export const LIVE: Generator = new LiveGenerator();
