/**
 * Bodies as bytes. A body is read as latin1 (one character per byte, no decoding, no validation),
 * so byte offsets are string offsets and every byte outside a redaction is written back as it was:
 * binary stays binary, invalid UTF-8 stays as it was, and a clean body costs one prefilter pass.
 *
 * The content type chooses how a body is read: JSON (redacted in place, still valid JSON), lines
 * of JSON (NDJSON), server-sent events (each `data:` line read as JSON when it is JSON), form
 * fields, text, or binary (left alone). Without one, the body is sniffed.
 */
import type { Edit } from './edits.js';
import { type PairScan, scanPairs } from './form-pairs.js';
import { type JsonScan, scanJson } from './json-text.js';
import type { TextRedactor } from './text.js';

export type BodyMode = 'json' | 'lines' | 'sse' | 'form' | 'text' | 'binary';

const LINES_TYPES =
  /^application\/(?:x-)?(?:ndjson|jsonl|jsonlines|json-seq)$|^application\/stream\+json$/;
const BINARY_TYPES =
  /^(?:image|audio|video|font)\/|^application\/(?:octet-stream|pdf|zip|gzip|x-gzip|x-tar|x-7z-compressed|x-bzip2|zstd|wasm|x-protobuf|protobuf|vnd\.google\.protobuf|grpc(?:\+proto)?|msgpack|x-msgpack|cbor)$/;

/** How a body with this content type (and these first bytes) is read. */
export function bodyMode(contentType: string | null | undefined, text: string): BodyMode {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/event-stream') return 'sse';
  if (LINES_TYPES.test(type)) return 'lines';
  if (type.endsWith('/json') || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (BINARY_TYPES.test(type)) return 'binary';
  if (type === '' || type === 'application/x-unknown' || type === 'unknown/unknown') {
    // Undeclared: a NUL byte early on says binary.
    if (text.slice(0, 1024).includes('\0')) return 'binary';
  }
  // Text, or a type this package does not know: scanned as text, as JSON when it looks like it.
  return 'text';
}

export interface BodyScan {
  readonly text: TextRedactor;
  readonly json: JsonScan;
  readonly pairs: PairScan;
}

const UTF8_BOM = '\u00ef\u00bb\u00bf';

function looksLikeJson(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) return true;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return false;
}

/** True when scanning could find something: false lets a clean body skip the scan. */
export function mayNeedScan(text: string, mode: BodyMode, scan: BodyScan): boolean {
  switch (mode) {
    case 'binary':
      return false;
    case 'form':
      return true;
    case 'json':
    case 'lines':
    case 'sse':
      return scan.json.rules.length > 0 || scan.json.mayMatch(text);
    case 'text':
      return looksLikeJson(text, 0, Math.min(text.length, 64))
        ? scan.json.rules.length > 0 || scan.json.mayMatch(text)
        : scan.text.mayMatch(text);
  }
}

/** Appends the edits redacting `text` read in `mode`. */
export function scanBody(text: string, mode: BodyMode, scan: BodyScan, edits: Edit[]): void {
  switch (mode) {
    case 'binary':
      return;
    case 'form':
      scanPairs(text, 0, text.length, scan.pairs, edits);
      return;
    case 'json':
    case 'text': {
      const from = text.startsWith(UTF8_BOM) ? UTF8_BOM.length : 0;
      // A declared JSON body may be any JSON value (a string, a number); text only when it looks
      // like an object or array.
      if (mode === 'json' || looksLikeJson(text, from, text.length)) {
        jsonOrText(text, from, text.length, scan, edits);
      } else {
        scan.text.scan(text, edits, 0, true);
      }
      return;
    }
    case 'lines':
    case 'sse':
      for (let start = 0; start < text.length; ) {
        let end = text.indexOf('\n', start);
        if (end < 0) end = text.length;
        if (mode === 'lines') jsonOrText(text, start, end, scan, edits);
        else sseLine(text, start, end, scan, edits);
        start = end + 1;
      }
      return;
  }
}

/** One line of an event stream: a `data:` line holding a JSON object or array is read as JSON. */
function sseLine(text: string, start: number, end: number, scan: BodyScan, edits: Edit[]): void {
  if (text.startsWith('data:', start)) {
    const from = start + (text.charCodeAt(start + 5) === 32 ? 6 : 5);
    if (looksLikeJson(text, from, end)) {
      jsonOrText(text, from, end, scan, edits);
      return;
    }
  }
  textRange(text, start, end, scan, edits);
}

/** `text[from, to)` as JSON when it is one JSON value, otherwise as text. */
function jsonOrText(text: string, from: number, to: number, scan: BodyScan, edits: Edit[]): void {
  const mark = edits.length;
  if (scanJson(text, from, to, scan.json, edits)) return;
  edits.length = mark;
  textRange(text, from, to, scan, edits);
}

function textRange(text: string, from: number, to: number, scan: BodyScan, edits: Edit[]): void {
  if (to - from >= 3) scan.text.scan(text.slice(from, to), edits, from, true);
}
