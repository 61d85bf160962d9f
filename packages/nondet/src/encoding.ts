/**
 * Lossless text forms for values JSON cannot hold exactly: IEEE-754 doubles by their bits, byte
 * arrays as base64, integers of any size as decimal strings. Each form is canonical (exactly one
 * text per value), so a hand-edited or corrupted log is refused rather than read loosely.
 */

const f64 = new DataView(new ArrayBuffer(8));
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The 16 lowercase hex digits of `value`'s IEEE-754 binary64 bits, big-endian. */
export function encodeFloat64(value: number): string {
  f64.setFloat64(0, value);
  let text = '';
  for (let i = 0; i < 8; i++) text += HEX_PAIRS[f64.getUint8(i)]!;
  return text;
}

/** The value of a lowercase hex digit's char code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** The double whose bits `text` spells, or undefined when `text` is not 16 lowercase hex digits. */
export function decodeFloat64(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length !== 16) return undefined;
  for (let i = 0; i < 8; i++) {
    const high = hexDigit(text.charCodeAt(2 * i));
    const low = hexDigit(text.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) return undefined;
    f64.setUint8(i, high * 16 + low);
  }
  return f64.getFloat64(0);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Below this many bytes, building the string here beats wrapping the bytes in a Buffer. */
const SMALL_BASE64 = 64;

/** Standard padded base64 (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  if (bytes.length >= SMALL_BASE64) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
  let text = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    text +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i + 1 === bytes.length) {
    const n = bytes[i]! << 16;
    text += `${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}==`;
  } else if (i + 2 === bytes.length) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    text += `${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}${ALPHABET[(n >> 6) & 63]!}=`;
  }
  return text;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The bytes `text` encodes, or undefined when it is not canonical padded base64. Node's decoder
 * skips characters it does not know, so the text is checked first and re-encoded to compare.
 */
export function decodeBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0) return undefined;
  if (text.length <= SMALL_BASE64 * 2) return decodeSmallBase64(text);
  if (!BASE64.test(text)) return undefined;
  const buffer = Buffer.from(text, 'base64');
  if (buffer.toString('base64') !== text) return undefined; // non-zero padding bits
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice();
}

const SEXTETS = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTETS[ALPHABET.charCodeAt(i)] = i;

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? SEXTETS[code]! : -1;
}

/** Decodes short canonical base64 by hand (a Buffer round trip costs more than the work). */
function decodeSmallBase64(text: string): Uint8Array | undefined {
  const len = text.length;
  const pad = len > 0 && text.endsWith('=') ? (text.endsWith('==') ? 2 : 1) : 0;
  const out = new Uint8Array((len / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len;
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = last && pad === 2 ? 0 : sextet(text, i + 2);
    const d = last && pad >= 1 ? 0 : sextet(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    // Canonical form: the bits the padding leaves over are zero.
    if (last && ((pad === 2 && (n & 0xffff) !== 0) || (pad === 1 && (n & 0xff) !== 0)))
      return undefined;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

const DECIMAL = /^(?:0|-?[1-9][0-9]*)$/;

/** The safe integer a canonical decimal string spells, or undefined (also for unsafe ones). */
export function decodeSafeDecimal(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > 17) return undefined;
  const value = Number(text);
  // String() of a safe integer is its canonical decimal, so comparing rejects "01", "+1", "1e3", "-0".
  return Number.isSafeInteger(value) && String(value) === text ? value : undefined;
}

/** The integer a canonical decimal string spells (no leading zeros, no "-0"), or undefined. */
export function decodeDecimal(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !DECIMAL.test(text)) return undefined;
  return BigInt(text);
}
