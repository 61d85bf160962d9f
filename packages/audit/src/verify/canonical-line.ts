import { isUtf8 } from 'node:buffer';
import { MAX_JSON_DEPTH } from '@trace/spec';

/**
 * Reading a stored line as bytes, without JSON.parse.
 *
 * A line the writer wrote is the canonical JSON of its entry, and canonical JSON has exactly one
 * spelling: keys sorted, no whitespace, strings and numbers as `JSON.stringify` writes them. So a
 * single pass over the bytes can both check that the line is that spelling and find the fields
 * the chain walk needs (seq, prev, ts; hash is at a fixed place) — where parsing would build every
 * payload object and string just to throw them away, and re-encoding would build them again.
 *
 * This is a fast path, not the judge: `read` answers true only when the line is certainly a
 * canonical, well-shaped v1 entry — provided its `hash` and `prev` hold the hashes the caller
 * expects — and false for anything it does not fully understand (escaped lone surrogates,
 * upper-case hex escapes, nesting beyond the writer's limit, …) as well as for every malformed
 * line. It leaves the 64 digits of `hash` and `prev` to the caller, which compares them with the
 * hash it computes and the previous entry's hash anyway: both are lower-case hex, so digits that
 * equal them are well formed, and a line whose digits differ goes to the full parse. A false
 * sends the line to the full parse too, which decides and names the problem exactly as before;
 * so nothing is detected differently, only found sooner.
 */

/** Where the 64 hex digits of `hash` start: after `{"hash":"`. */
export const HASH_AT = 9;
/**
 * Where the hashed body starts: the comma before `"payload"`. The body is `{` followed by the rest
 * of the line, so the verifier writes `{` over this comma for the hash call and puts it back.
 */
export const BODY_AT = 74;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * What each byte is inside a string: ordinary ASCII; the end, an escape or a raw control
 * character; or part of a multi-byte UTF-8 character.
 */
const PLAIN = 0;
const SPECIAL = 1;
const HIGH = 2;
const STRING_BYTE = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_BYTE[c] = SPECIAL;
STRING_BYTE[QUOTE] = SPECIAL;
STRING_BYTE[BACKSLASH] = SPECIAL;
for (let c = 0x80; c < 0x100; c++) STRING_BYTE[c] = HIGH;

/** Lower-case hex digits, as 1 + their value (0: not one). `JSON.stringify` writes lower case. */
const HEX = new Uint8Array(256);
for (let d = 0; d < 10; d++) HEX[ZERO + d] = 1 + d;
for (let d = 0; d < 6; d++) HEX[0x61 + d] = 11 + d;

/** The escapes `JSON.stringify` writes with one letter: \" \\ \b \f \n \r \t. */
const SHORT_ESCAPE = new Uint8Array(256);
for (const c of [QUOTE, BACKSLASH, 0x62, 0x66, 0x6e, 0x72, 0x74]) SHORT_ESCAPE[c] = 1;
/** Control characters that have a one-letter escape, so `\u00XX` is not their canonical form. */
const HAS_SHORT_FORM = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

const bytes = (text: string) => Buffer.from(text, 'latin1');
const HASH_KEY = bytes('{"hash":"');
const PAYLOAD_KEY = bytes('","payload":');
const PREV_KEY = bytes(',"prev":"');
const SEQ_KEY = bytes('","seq":');
const SESSION_KEY = bytes(',"session":"');
const TS_KEY = bytes(',"ts":"');
const TYPE_KEY = bytes('","type":"');
const VERSION_END = bytes(',"v":1}');
const TRUE = bytes('true');
const FALSE = bytes('false');
const NULL = bytes('null');
const TS_LENGTH = 24;
/** `YYYY-MM-DDTHH:MM:SS.mmmZ`, byte by byte: DIGIT where a digit goes, else the byte itself. */
const DIGIT = 0;
const TS_PATTERN = Uint8Array.from(Buffer.from('0000-00-00T00:00:00.000Z', 'latin1'), (c) =>
  c === ZERO ? DIGIT : c,
);
/** The shortest possible entry line: empty payload, one-digit seq, one-character type. */
const MIN_LINE =
  HASH_KEY.length +
  64 +
  PAYLOAD_KEY.length +
  2 +
  PREV_KEY.length +
  64 +
  SEQ_KEY.length +
  1 +
  TS_KEY.length +
  TS_LENGTH +
  TYPE_KEY.length +
  2 +
  VERSION_END.length;

const EMPTY = Buffer.alloc(0);

/**
 * Reads lines one after another; after `read` answers true its fields describe that line. One
 * reader serves a whole walk (it keeps a word view of the buffer the lines come in).
 */
export class CanonicalLineReader {
  /** The entry's seq. */
  seq = 0;
  /** Offset in the buffer where the entry's 24-character time starts. */
  tsAt = 0;
  /** Offset in the buffer where the 64 hex digits of `prev` start. */
  prevAt = 0;
  private b: Buffer = EMPTY;
  private end = 0;
  /** The line holds bytes outside ASCII: it must also be valid UTF-8. */
  private nonAscii = false;
  /** `b`'s memory as 32-bit words (one view per underlying buffer), and `b`'s offset in it. */
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private wordsOf: ArrayBufferLike | undefined;
  private base = 0;
  /** The string just scanned holds no escape and no non-ASCII byte: its bytes order as its text. */
  private plain = true;

  /**
   * True when `b[start, end)` is exactly the canonical JSON of a v1 entry,
   * `{"hash":…,"payload":{…},"prev":…,"seq":…,["session":…,]"ts":…,"type":…,"v":1}`, if the
   * 64 characters at `start + HASH_AT` and at `prevAt` are lower-case hex (the caller's to check).
   * `b[end]`, if there is one, is the line's newline.
   */
  read(b: Buffer, start: number, end: number): boolean {
    if (end - start < MIN_LINE) return false;
    this.b = b;
    this.end = end;
    this.nonAscii = false;
    if (b.buffer !== this.wordsOf) {
      this.wordsOf = b.buffer;
      this.words = new Uint32Array(b.buffer, 0, b.buffer.byteLength >>> 2);
    }
    this.base = b.byteOffset;
    let i = start;
    if (!this.literal(i, HASH_KEY)) return false;
    i += HASH_AT + 64;
    if (!this.literal(i, PAYLOAD_KEY)) return false;
    i += PAYLOAD_KEY.length;
    if (b[i] !== OPEN_BRACE) return false;
    i = this.object(i, 1);
    if (i < 0 || !this.literal(i, PREV_KEY)) return false;
    i += PREV_KEY.length;
    const prevAt = i;
    i += 64;
    if (!this.literal(i, SEQ_KEY)) return false;
    i = this.seqNumber(i + SEQ_KEY.length);
    if (i < 0) return false;
    if (this.literal(i, SESSION_KEY)) {
      i = this.string(i + SESSION_KEY.length);
      if (i < 0) return false;
    }
    if (!this.literal(i, TS_KEY)) return false;
    i += TS_KEY.length;
    const tsAt = i;
    if (!this.timestamp(i)) return false;
    i += TS_LENGTH;
    if (!this.literal(i, TYPE_KEY)) return false;
    i += TYPE_KEY.length;
    if (b[i] === QUOTE) return false; // an empty type
    i = this.string(i);
    if (i < 0 || i + VERSION_END.length !== end || !this.literal(i, VERSION_END)) return false;
    // Raw non-ASCII characters are canonical only as valid UTF-8 (JSON.stringify escapes none of
    // them, and lone surrogates cannot be encoded raw at all).
    if (this.nonAscii && !isUtf8(b.subarray(start, end))) return false;
    this.prevAt = prevAt;
    this.tsAt = tsAt;
    return true;
  }

  // Every read below stays inside [start, end): a line's bytes are followed by other lines in the
  // same buffer, which must never be taken for part of it.
  private literal(i: number, expected: Buffer): boolean {
    if (i + expected.length > this.end) return false;
    const b = this.b;
    for (let k = 0; k < expected.length; k++) if (b[i + k] !== expected[k]) return false;
    return true;
  }

  /** A positive safe integer in canonical form (no sign, no leading zero, no fraction). */
  private seqNumber(i: number): number {
    const b = this.b;
    if (i >= this.end) return -1;
    const first = b[i]!;
    if (first <= ZERO || first > NINE) return -1;
    let value = first - ZERO;
    let k = i + 1;
    for (; k < this.end && b[k]! >= ZERO && b[k]! <= NINE; k++) value = value * 10 + (b[k]! - ZERO);
    if (k - i > 16 || !Number.isSafeInteger(value)) return -1;
    this.seq = value;
    return k;
  }

  /**
   * `YYYY-MM-DDTHH:MM:SS.mmmZ` with month 01-12, day 01-31, hour 00-23, minute and second 00-59:
   * a time `isIsoUtc` accepts (V8's Date.parse takes any day up to 31 in any month), checked on
   * the bytes, since nearly every entry has a time of its own. Stricter than `isIsoUtc` (hour 24
   * is left to the full parse), never looser.
   */
  private timestamp(i: number): boolean {
    if (i + TS_LENGTH > this.end) return false;
    const b = this.b;
    for (let k = 0; k < TS_LENGTH; k++) {
      const c = b[i + k]!;
      const expected = TS_PATTERN[k]!;
      if (expected === DIGIT ? c < ZERO || c > NINE : c !== expected) return false;
    }
    const month = twoDigits(b, i + 5);
    const day = twoDigits(b, i + 8);
    return (
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= 31 &&
      twoDigits(b, i + 11) <= 23 &&
      twoDigits(b, i + 14) <= 59 &&
      twoDigits(b, i + 17) <= 59
    );
  }

  /**
   * The first byte from `i` on that is not an ordinary string character (or `end`): a `"`, a `\`,
   * a control character or a byte of a non-ASCII character. Four bytes at a time while there are
   * none — most bytes of a line are ordinary characters inside strings. For a word `x`,
   * `(v - 0x01010101) & ~v & 0x80808080` is non-zero exactly when some byte of `v` is zero, and
   * `x ^ 0x22222222` has a zero byte where `x` has a `"` (`0x5c5c5c5c`: a `\`);
   * `(x - 0x20202020) | x` sets a top bit where a byte is below 0x20 (or borrows from one that
   * is) or at least 0x80. The byte table then finds which byte it was.
   */
  private skipOrdinary(i: number): number {
    const b = this.b;
    const end = this.end;
    // Keys and most values are short: a few bytes one at a time settle them before the word loop
    // would have paid for itself. Then bytes up to a word boundary, then words.
    const early = Math.min(i + 8, end);
    for (; i < early; i++) if (STRING_BYTE[b[i]!] !== PLAIN) return i;
    const base = this.base;
    for (; i < end && ((base + i) & 3) !== 0; i++) if (STRING_BYTE[b[i]!] !== PLAIN) return i;
    const words = this.words;
    const lastWord = (base + end) >> 2;
    let w = (base + i) >> 2;
    for (; w < lastWord; w++) {
      const x = words[w]!;
      const quote = x ^ 0x22222222;
      const backslash = x ^ 0x5c5c5c5c;
      if (
        (((quote - 0x01010101) & ~quote) |
          ((backslash - 0x01010101) & ~backslash) |
          (x - 0x20202020) |
          x) &
        0x80808080
      )
        break;
    }
    for (i = Math.max(i, (w << 2) - base); i < end; i++) if (STRING_BYTE[b[i]!] !== PLAIN) return i;
    return end;
  }

  /**
   * A string whose opening quote is at `i - 1`, written as `JSON.stringify` writes strings.
   * Returns the offset after its closing quote, or -1.
   */
  private string(i: number): number {
    const b = this.b;
    const end = this.end;
    let plain = true;
    for (;;) {
      // The hot part: most bytes of a line are ordinary characters inside strings.
      i = this.skipOrdinary(i);
      if (i >= end) return -1;
      const c = b[i]!;
      if (STRING_BYTE[c] === HIGH) {
        this.nonAscii = true;
        plain = false;
        i++;
        continue;
      }
      if (c === QUOTE) {
        this.plain = plain;
        return i + 1;
      }
      if (c !== BACKSLASH) return -1; // a raw control character
      plain = false;
      if (i + 1 >= end) return -1;
      const e = b[i + 1]!;
      if (SHORT_ESCAPE[e] === 1) {
        i += 2;
        continue;
      }
      // `\u00XX` is canonical only for a control character without a one-letter escape. Other
      // `\u` escapes (lone surrogates, upper-case hex, escaped printable characters) go to the
      // full parse.
      if (e === 0x75 && i + 6 <= end && b[i + 2] === ZERO && b[i + 3] === ZERO) {
        const high = b[i + 4]!;
        const low = HEX[b[i + 5]!]!;
        if ((high === ZERO || high === ZERO + 1) && low !== 0) {
          const code = (high - ZERO) * 16 + low - 1;
          if (!HAS_SHORT_FORM.has(code)) {
            i += 6;
            continue;
          }
        }
      }
      return -1;
    }
  }

  /** An object at `i` (its `{`), keys strictly increasing in UTF-16 code units. */
  private object(i: number, depth: number): number {
    // Anything nested deeper than the writer accepts goes to the full parse; this also bounds
    // the recursion.
    if (depth > MAX_JSON_DEPTH) return -1;
    const b = this.b;
    i++;
    if (i >= this.end) return -1;
    if (b[i] === CLOSE_BRACE) return i + 1;
    let previousStart = -1;
    let previousEnd = -1;
    let previousPlain = true;
    for (;;) {
      if (b[i] !== QUOTE) return -1;
      const keyStart = i + 1;
      const afterKey = this.string(keyStart);
      if (afterKey < 0) return -1;
      const keyEnd = afterKey - 1;
      const plain = this.plain;
      if (previousStart >= 0) {
        // Keys mostly differ in their first character: settle that here, the rest in keyAfter.
        const quick =
          previousPlain &&
          plain &&
          previousStart < previousEnd &&
          keyStart < keyEnd &&
          b[previousStart] !== b[keyStart];
        if (
          quick
            ? b[previousStart]! > b[keyStart]!
            : !this.keyAfter(previousStart, previousEnd, previousPlain, keyStart, keyEnd, plain)
        )
          return -1;
      }
      previousStart = keyStart;
      previousEnd = keyEnd;
      previousPlain = plain;
      if (b[afterKey] !== COLON) return -1;
      i = this.value(afterKey + 1, depth);
      if (i < 0) return -1;
      const c = b[i];
      if (c === COMMA) i++;
      else if (c === CLOSE_BRACE) return i + 1;
      else return -1;
    }
  }

  private array(i: number, depth: number): number {
    if (depth > MAX_JSON_DEPTH) return -1;
    const b = this.b;
    i++;
    if (i >= this.end) return -1;
    if (b[i] === CLOSE_BRACKET) return i + 1;
    for (;;) {
      i = this.value(i, depth);
      if (i < 0) return -1;
      const c = b[i];
      if (c === COMMA) i++;
      else if (c === CLOSE_BRACKET) return i + 1;
      else return -1;
    }
  }

  private value(i: number, depth: number): number {
    if (i >= this.end) return -1;
    const c = this.b[i];
    if (c === QUOTE) return this.string(i + 1);
    if (c === OPEN_BRACE) return this.object(i, depth + 1);
    if (c === OPEN_BRACKET) return this.array(i, depth + 1);
    if (c === 0x74) return this.literal(i, TRUE) ? i + TRUE.length : -1;
    if (c === 0x66) return this.literal(i, FALSE) ? i + FALSE.length : -1;
    if (c === 0x6e) return this.literal(i, NULL) ? i + NULL.length : -1;
    return this.number(i);
  }

  /** A number spelt as `JSON.stringify` spells it. */
  private number(start: number): number {
    const b = this.b;
    const end = this.end;
    let i = start;
    if (b[i] === MINUS) i++;
    const digitsAt = i;
    if (b[i] === ZERO) i++;
    else if (b[i]! > ZERO && b[i]! <= NINE) {
      i++;
      while (i < end && b[i]! >= ZERO && b[i]! <= NINE) i++;
    } else return -1;
    let integer = true;
    if (b[i] === DOT) {
      integer = false;
      const from = ++i;
      while (i < end && b[i]! >= ZERO && b[i]! <= NINE) i++;
      if (i === from) return -1;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      integer = false;
      i++;
      if (b[i] === PLUS || b[i] === MINUS) i++;
      const from = i;
      while (i < end && b[i]! >= ZERO && b[i]! <= NINE) i++;
      if (i === from) return -1;
    }
    // Integers below 10^15 are exact doubles written digit for digit (but -0 is written 0).
    if (integer && i - digitsAt <= 15 && !(b[start] === MINUS && b[digitsAt] === ZERO)) return i;
    // Anything else is canonical exactly when JavaScript writes the number back the same way.
    const text = b.toString('latin1', start, i);
    return String(Number(text)) === text ? i : -1;
  }

  /** True when the key at [start, end) sorts strictly after the one at [previousStart, previousEnd). */
  private keyAfter(
    previousStart: number,
    previousEnd: number,
    previousPlain: boolean,
    start: number,
    end: number,
    plain: boolean,
  ): boolean {
    const b = this.b;
    if (previousPlain && plain) {
      // ASCII without escapes: byte order is code-unit order.
      const length = Math.min(previousEnd - previousStart, end - start);
      for (let k = 0; k < length; k++) {
        const x = b[previousStart + k]!;
        const y = b[start + k]!;
        if (x !== y) return x < y;
      }
      return previousEnd - previousStart < end - start;
    }
    // Escapes or non-ASCII characters: compare the texts (UTF-8 byte order is not UTF-16 order).
    const previous = JSON.parse(b.toString('utf8', previousStart - 1, previousEnd + 1)) as string;
    const key = JSON.parse(b.toString('utf8', start - 1, end + 1)) as string;
    return previous < key;
  }
}

/** The number written by the two ASCII digits at `at`. */
function twoDigits(b: Buffer, at: number): number {
  return (b[at]! - ZERO) * 10 + b[at + 1]! - ZERO;
}
