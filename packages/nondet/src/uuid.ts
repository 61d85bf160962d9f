/** Formatting and checking RFC 9562 UUIDs (versions 4 and 7) in their canonical lowercase form. */
import { invalidArgument } from './errors.js';
import { preview } from './json.js';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Formats 16 bytes as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function formatUuid(b: Uint8Array): string {
  return (
    HEX[b[0]!]! +
    HEX[b[1]!]! +
    HEX[b[2]!]! +
    HEX[b[3]!]! +
    '-' +
    HEX[b[4]!]! +
    HEX[b[5]!]! +
    '-' +
    HEX[b[6]!]! +
    HEX[b[7]!]! +
    '-' +
    HEX[b[8]!]! +
    HEX[b[9]!]! +
    '-' +
    HEX[b[10]!]! +
    HEX[b[11]!]! +
    HEX[b[12]!]! +
    HEX[b[13]!]! +
    HEX[b[14]!]! +
    HEX[b[15]!]!
  );
}

/** Sets the version nibble and the RFC 9562 variant bits in place. */
export function stampUuid(bytes: Uint8Array, version: 4 | 7): Uint8Array {
  bytes[6] = (bytes[6]! & 0x0f) | (version << 4);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes;
}

/** Writes a 48-bit big-endian millisecond timestamp into the first 6 bytes (UUIDv7 layout). */
export function writeV7Timestamp(bytes: Uint8Array, ms: number): void {
  // Clamp into the 48 bits the layout has; a live clock is always inside them.
  const t = Math.min(Math.max(Math.trunc(ms), 0), 2 ** 48 - 1);
  const high = Math.floor(t / 2 ** 32);
  const low = t >>> 0;
  bytes[0] = (high >>> 8) & 0xff;
  bytes[1] = high & 0xff;
  bytes[2] = (low >>> 24) & 0xff;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for a canonical lowercase UUID of the given version with the RFC 9562 variant. */
export function isUuid(value: unknown, version: 4 | 7): value is string {
  return typeof value === 'string' && (version === 4 ? UUID_V4 : UUID_V7).test(value);
}

/**
 * The Unix-epoch milliseconds a UUIDv7 embeds. Throws `NONDET_INVALID_ARGUMENT` for anything that
 * is not a UUIDv7 (either case), rather than reading a timestamp out of arbitrary text.
 */
export function uuidV7Timestamp(uuid: string): number {
  if (typeof uuid !== 'string' || !isUuid(uuid.toLowerCase(), 7)) {
    throw invalidArgument(
      `uuidV7Timestamp(uuid) needs a UUIDv7 such as 017f22e2-79b0-7cc3-98c4-dc0c0c07398f; got ${preview(uuid)}.`,
      { argument: 'uuid' },
    );
  }
  return Number.parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16);
}
