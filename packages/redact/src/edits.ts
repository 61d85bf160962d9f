/**
 * Redaction as a list of edits over a text: each replaces `text[start, end)` by `text`. Scanners
 * append edits in order and never overlap them, so one list serves a whole string, a body, or a
 * stream whose chunks the edits are later mapped onto.
 */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** `text` with `edits` (in order, not overlapping) applied. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  if (edits.length === 0) return text;
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at);
}

/** One byte per character, as `latin1` decodes: byte offsets are string offsets. */
export function latin1Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The bytes of a latin1 string, in a fresh buffer of its own (never Node's shared pool). */
export function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  Buffer.from(bytes.buffer).write(text, 'latin1');
  return bytes;
}

/** A UTF-16 string as a latin1 string of its UTF-8 bytes. */
export function utf8AsLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A latin1 string of UTF-8 bytes, decoded. */
export function latin1AsUtf8(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}
