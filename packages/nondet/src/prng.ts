import type { Generator } from './generator.js';
import { formatUuid, stampUuid } from './uuid.js';

/**
 * A seeded generator: xoshiro128** for randomness and a virtual clock that starts at a fixed instant
 * and moves forward by a fixed step on every reading. Everything it returns depends only on the seed,
 * the stream name and how many draws came before on that stream.
 */
export class SeededGenerator implements Generator {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private elapsed = 0;

  constructor(
    key: string,
    private readonly startMs: number,
    private readonly stepMs: number,
  ) {
    [this.s0, this.s1, this.s2, this.s3] = seedWords(key);
  }

  uint32(): number {
    // xoshiro128** (Blackman and Vigna), on 32-bit words.
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  float(): number {
    // 53 random bits: 27 from one word and 26 from the next.
    return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992;
  }

  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += 4) {
      let word = this.uint32();
      for (let j = i; j < i + 4 && j < bytes.length; j++) {
        bytes[j] = word & 0xff;
        word >>>= 8;
      }
    }
  }

  uuidV4(): string {
    const bytes = new Uint8Array(16);
    this.fill(bytes);
    return formatUuid(stampUuid(bytes, 4));
  }

  wallMs(): number {
    const t = this.startMs + this.elapsed;
    this.elapsed += this.stepMs;
    return t;
  }

  monotonicMs(): number {
    const t = this.elapsed;
    this.elapsed += this.stepMs;
    return t;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Four well-mixed, not-all-zero state words from any string (a multiply-xorshift hash per lane). */
function seedWords(key: string): [number, number, number, number] {
  let h0 = 0x9e3779b9 ^ key.length;
  let h1 = 0x243f6a88;
  let h2 = 0xb7e15162;
  let h3 = 0x85a308d3;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h0 = Math.imul(h0 ^ c, 0x85ebca6b);
    h1 = Math.imul(h1 ^ c, 0xc2b2ae35);
    h2 = Math.imul(h2 ^ c, 0x27d4eb2f);
    h3 = Math.imul(h3 ^ c, 0x165667b1);
    h0 = rotl(h0, 13) ^ h3;
    h1 = rotl(h1, 17) ^ h0;
    h2 = rotl(h2, 19) ^ h1;
    h3 = rotl(h3, 23) ^ h2;
  }
  const words: [number, number, number, number] = [
    fmix(h0),
    fmix(h1 ^ h0),
    fmix(h2 ^ h1),
    fmix(h3 ^ h2),
  ];
  if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1; // xoshiro's one bad state
  return words;
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function fmix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
