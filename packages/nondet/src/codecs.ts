import {
  decodeBase64,
  decodeDecimal,
  decodeFloat64,
  encodeBase64,
  encodeFloat64,
} from './encoding.js';
import type { JsonValue } from './json.js';
import type { DrawCodec } from './source.js';

function fail(what: string, json: JsonValue): never {
  throw new TypeError(`Expected ${what}, got ${JSON.stringify(json)}.`);
}

/** Codec for a named source producing any double (NaN, -0 and subnormals included), by its bits. */
export const float64Codec: DrawCodec<number> = {
  encode: (value) => encodeFloat64(value),
  decode: (json) => decodeFloat64(json) ?? fail('16 lowercase hex digits', json),
};

/** Codec for a named source producing bytes, as padded base64. */
export const bytesCodec: DrawCodec<Uint8Array> = {
  encode: (value) => encodeBase64(value),
  decode: (json) => decodeBase64(json) ?? fail('canonical base64', json),
};

/** Codec for a named source producing a bigint, as a decimal string. */
export const bigintCodec: DrawCodec<bigint> = {
  encode: (value) => value.toString(),
  decode: (json) => decodeDecimal(json) ?? fail('a canonical decimal string', json),
};
