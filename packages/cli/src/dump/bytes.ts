/**
 * How bytes are written in a dump and in `--json` output: as the JSON value they hold when they
 * are compact JSON text that reads back to the very same bytes, else as text when they are UTF-8,
 * else as base64. Each form reads back to exactly the bytes it was made from.
 */
export type BytesForm =
  | { readonly json: unknown }
  | { readonly text: string }
  | { readonly base64: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** The UTF-8 text of `bytes`, or undefined when they are not valid UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function bytesForm(bytes: Uint8Array): BytesForm {
  const text = utf8Text(bytes);
  if (text === undefined) return { base64: Buffer.from(bytes).toString('base64') };
  const json = parsedJson(text);
  return json === NOT_JSON ? { text } : { json: json.value };
}

const NOT_JSON = Symbol('not JSON');

/** The JSON value of `text` when writing it back compactly gives exactly `text`. */
function parsedJson(text: string): { value: unknown } | typeof NOT_JSON {
  const first = text.charCodeAt(0);
  // Only objects and arrays: a bare number or string reads better as text.
  if (first !== 0x7b && first !== 0x5b) return NOT_JSON;
  try {
    const value: unknown = JSON.parse(text);
    return JSON.stringify(value) === text ? { value } : NOT_JSON;
  } catch {
    return NOT_JSON;
  }
}

/** The bytes a form stands for; undefined when `form` is not one. */
export function bytesOfForm(form: unknown): Uint8Array | undefined {
  if (typeof form !== 'object' || form === null) return undefined;
  const keys = Object.keys(form);
  if (keys.length !== 1) return undefined;
  const record = form as Record<string, unknown>;
  if ('json' in record) return encoder.encode(JSON.stringify(record.json));
  if (typeof record.text === 'string') return encoder.encode(record.text);
  if (typeof record.base64 === 'string' && isBase64(record.base64)) {
    return new Uint8Array(Buffer.from(record.base64, 'base64'));
  }
  return undefined;
}

function isBase64(text: string): boolean {
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text);
}
