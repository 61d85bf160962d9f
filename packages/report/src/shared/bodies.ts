/**
 * The page's body table: each body once, text as `t:<text>`, other bytes as `b:<base64>`. These
 * read an entry back; the generator's `BodyTable` writes them.
 */
import type { Json } from './report-data.js';

/** A body's text, or undefined when its bytes are not text. */
export function bodyText(
  bodies: readonly string[],
  ref: number | null | undefined,
): string | undefined {
  if (ref === null || ref === undefined) return undefined;
  const entry = bodies[ref];
  return entry?.startsWith('t:') ? entry.slice(2) : undefined;
}

/** A body's size in bytes as stored, for display: text by its UTF-8 length. */
export function bodySize(bodies: readonly string[], ref: number | null | undefined): number {
  if (ref === null || ref === undefined) return 0;
  const entry = bodies[ref] ?? '';
  if (entry.startsWith('b:'))
    return (
      Math.floor(((entry.length - 2) * 3) / 4) -
      (entry.endsWith('==') ? 2 : entry.endsWith('=') ? 1 : 0)
    );
  return new TextEncoder().encode(entry.slice(2)).length;
}

/** A text as JSON, or undefined when it is not JSON. */
export function parseJson(text: string | undefined): Json | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}
