/**
 * The one placeholder format: `[REDACTED:kind]`, or `[REDACTED:kind#hash]` with a keyed hash
 * (HMAC-SHA-256 of the removed value, 64 bits shown) so that equal secrets can be joined across
 * records without being revealed.
 */
import { createHmac } from 'node:crypto';

/** A placeholder this package writes; matching it first is what makes redaction idempotent. */
export const PLACEHOLDER_SOURCE = String.raw`\[REDACTED:[a-z0-9_]+(?:#[0-9a-f]{16})?\]`;

const WHOLE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER_SOURCE}$`);

/** True when `text` is exactly one placeholder this package writes. */
export function isPlaceholder(text: string): boolean {
  return text.startsWith('[REDACTED:') && WHOLE_PLACEHOLDER.test(text);
}

const PLACEHOLDER_AT = new RegExp(PLACEHOLDER_SOURCE, 'y');

/**
 * Where the placeholder that starts at `start` in `text` ends (the index after its `]`), or -1
 * when none starts there: for code that cuts redacted text and must not split a placeholder.
 */
export function placeholderEnd(text: string, start: number): number {
  PLACEHOLDER_AT.lastIndex = start;
  return PLACEHOLDER_AT.test(text) ? PLACEHOLDER_AT.lastIndex : -1;
}

/** A kind as placeholders spell it: lower case letters, digits and `_`. */
export function sanitiseKind(kind: string): string {
  const clean = kind.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return clean.length > 0 ? clean : 'path';
}

/**
 * Writes the placeholder for a value removed under `kind`. `removed` is what the hash covers: a
 * string as its UTF-8 bytes (`latin1` says the string already holds one byte per character, as
 * bodies are scanned), anything else as its JSON text.
 */
export type PlaceholderWriter = (kind: string, removed: unknown, latin1?: boolean) => string;

export function placeholderWriter(hashKey: string | Uint8Array | undefined): PlaceholderWriter {
  if (hashKey === undefined) return (kind) => `[REDACTED:${kind}]`;
  return (kind, removed, latin1 = false) => {
    const hmac = createHmac('sha256', hashKey);
    if (typeof removed === 'string') hmac.update(removed, latin1 ? 'latin1' : 'utf8');
    else hmac.update(jsonTextOf(removed));
    return `[REDACTED:${kind}#${hmac.digest('hex').slice(0, 16)}]`;
  };
}

function jsonTextOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // A cycle or a throwing toJSON: the value is removed whole either way, only its hash differs.
    return Object.prototype.toString.call(value);
  }
}
