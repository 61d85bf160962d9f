/**
 * Where a chat API's request body repeats itself. Every turn of a conversation sends the whole
 * conversation again — the system prompt, the tool definitions, every earlier message — so a
 * body is cut at the raw bytes of each of those: a message sent again costs a reference.
 *
 * No provider list: in a JSON object body, each element of a top-level array (Anthropic's and
 * OpenAI's `messages`, `tools`, the Responses API's `input`) and each long top-level string (a
 * `system` prompt, `instructions`) is a span.
 *
 * A scanner of its own, over the bytes: it only needs where values begin and end at the top two
 * levels, and runs on every request recorded, so it skips strings with `indexOf` rather than
 * tokenising every value as a general JSON parser does (which cost more than the rest of storing
 * a chunked body). It checks structure, not values: a body whose brackets and strings do not
 * balance to its end gives no spans and is cut by content instead. Either way the chunks give
 * back the bytes exactly; the spans only decide where the cuts fall.
 */

/** A top-level string at least this long is a span of its own. */
const LONG_STRING = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The spans `[start, end)` of a JSON object body, in order; undefined when it is not one. */
export function jsonSpans(bytes: Uint8Array): [number, number][] | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = skipSpace(buffer, 0);
  if (buffer[start] !== OPEN_OBJECT) return undefined;
  const spans: [number, number][] = [];
  /** The containers open: true for an array. */
  const open: boolean[] = [];
  /** Where the element of a top-level array being read began, or -1. */
  let elementStart = -1;
  let i = start;
  while (i < buffer.length) {
    const byte = buffer[i] as number;
    if (byte === QUOTE) {
      const end = stringEnd(buffer, i);
      if (end < 0) return undefined;
      const isKey = buffer[skipSpace(buffer, end)] === COLON;
      if (!isKey && open.length === 2 && open[1] === true) spans.push([i, end]);
      else if (!isKey && open.length === 1 && end - i >= LONG_STRING) spans.push([i, end]);
      i = end;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (open.length === 2 && open[1] === true) elementStart = i;
      open.push(byte === OPEN_ARRAY);
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      if (open.pop() !== (byte === CLOSE_ARRAY)) return undefined;
      if (open.length === 2 && open[1] === true && elementStart >= 0) {
        spans.push([elementStart, i + 1]);
        elementStart = -1;
      }
      if (open.length === 0) {
        i++;
        break;
      }
    } else if (isScalarStart(byte) && open.length === 2 && open[1] === true) {
      // A number, true, false or null as an element of a top-level array.
      let end = i;
      while (end < buffer.length && !isDelimiter(buffer[end] as number)) end++;
      spans.push([i, end]);
      i = end;
      continue;
    }
    i++;
  }
  if (open.length !== 0 || skipSpace(buffer, i) !== buffer.length) return undefined;
  return spans;
}

/** The offset just past the closing quote of the string opening at `at`, or -1. */
function stringEnd(buffer: Buffer, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = buffer.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    // Escaped when preceded by an odd number of backslashes.
    let slashes = 0;
    while (buffer[quote - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function skipSpace(buffer: Buffer, at: number): number {
  let i = at;
  while (i < buffer.length) {
    const byte = buffer[i];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
    i++;
  }
  return i;
}

function isScalarStart(byte: number): boolean {
  return (
    byte === 0x2d ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x74 ||
    byte === 0x66 ||
    byte === 0x6e
  );
}

function isDelimiter(byte: number): boolean {
  return (
    byte === COMMA ||
    byte === CLOSE_ARRAY ||
    byte === CLOSE_OBJECT ||
    byte === 0x20 ||
    byte === 0x0a ||
    byte === 0x0d ||
    byte === 0x09
  );
}
