import { copyJson, copyJsonOrThrow, type JsonValue } from './json.js';
import type { DrawCodec } from './source.js';

/** A named source's produced value as the JSON the log holds (validated, deep-copied). */
export function encodeSourceValue(
  kind: string,
  value: unknown,
  codec: DrawCodec<unknown> | undefined,
): JsonValue {
  return copyJsonOrThrow(codec === undefined ? value : codec.encode(value), `The source ${kind}`);
}

/** The value a caller gets for logged JSON: a fresh copy, or the codec's decoding of one. */
export function decodeSourceValue(json: JsonValue, codec: DrawCodec<unknown> | undefined): unknown {
  const copy = copyJson(json);
  const fresh = copy.ok ? copy.value : json;
  return codec === undefined ? fresh : codec.decode(fresh);
}
