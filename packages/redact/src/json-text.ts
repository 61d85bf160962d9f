/**
 * Redaction of JSON text, in place: the text is scanned once (iteratively, so nesting depth costs
 * no stack), and only what must change is replaced — a string holding a secret, or a whole value
 * under a credential key or a path rule (replaced by a placeholder string). Every other byte stays
 * as it was: numbers keep their digits (no float rounding), whitespace and key order stay, and the
 * result is still valid JSON.
 *
 * Strings without escapes are scanned as they are written (placeholders need no escaping, and no
 * detector ends a match inside an escape); strings with escapes are decoded first, so a PEM block
 * written with `\n` or a URL written with `\/` is recognised, and re-encoded only when they change.
 * A string that is itself JSON (a tool call's arguments) is redacted as JSON, so it stays valid.
 */
import { applyEdits, type Edit, latin1AsUtf8, utf8AsLatin1 } from './edits.js';
import type { KeyClassifier } from './keys.js';
import { type PathRule, type PathStates, rootStates, statesKind, stepStates } from './paths.js';
import { isPlaceholder, type PlaceholderWriter } from './placeholder.js';
import type { TextRedactor } from './text.js';

export interface JsonScan {
  /** The text holds UTF-8 bytes one per character (a body), rather than decoded text. */
  readonly latin1: boolean;
  readonly classify: KeyClassifier;
  /** Path rules rooted at the JSON value scanned; empty for none. */
  readonly rules: readonly PathRule[];
  readonly text: TextRedactor;
  readonly placeholder: PlaceholderWriter;
  /** The prefilter for JSON text: value detectors, credential key names, escaped characters. */
  readonly mayMatch: (text: string) => boolean;
  /** How many strings-holding-JSON deep this scan is. */
  readonly depth: number;
}

/**
 * Strings decoded inside strings this deep are redacted as text, not as JSON. Each level costs a
 * decode only where a trigger is found.
 */
const MAX_EMBEDDED_DEPTH = 6;
/** An escape that can hide a trigger: an escaped ASCII character, or an escaped `/` in `://`. */
const HIDING_ESCAPE = /\\u00[2-7][0-9a-f]|\\\//i;
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

interface Span {
  readonly start: number;
  readonly end: number;
  /** The edits made inside the span, as indices into the edit list. */
  readonly editsFrom: number;
  readonly editsTo: number;
}

interface Frame {
  readonly array: boolean;
  /** Where the container starts, and how many edits came before it. */
  readonly start: number;
  readonly editsFrom: number;
  /** Members or elements seen so far, minus one. */
  count: number;
  /** The kind under which the current member's value is removed (its key names a credential). */
  kind: string | undefined;
  /** The current member's key. */
  key: string;
  /** `['Authorization', …]`: what the first element of a pair names. */
  firstKind?: string | undefined;
  /** `{ key|name: 'authorization', value: … }`: the pair's name, and where its value is. */
  keyName?: string | undefined;
  nameName?: string | undefined;
  second?: Span;
  value?: Span;
}

function skipSpace(text: string, i: number, to: number): number {
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else break;
  }
  return i;
}

/** The index after the string starting at `i` (a `"`), or -1 when it does not end before `to`. */
function stringEnd(text: string, i: number, to: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0 || quote >= to) return -1;
    let backslashes = 0;
    for (let b = quote - 1; b > i && text.charCodeAt(b) === 92; b--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function literalEnd(text: string, i: number, to: number): number {
  LITERAL.lastIndex = i;
  return LITERAL.exec(text) === null || LITERAL.lastIndex > to ? -1 : LITERAL.lastIndex;
}

/** The index after the value starting at `i`, skipped without looking inside; -1 when malformed. */
function valueEnd(text: string, i: number, to: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return stringEnd(text, i, to);
  if (c !== 123 && c !== 91) return literalEnd(text, i, to);
  let depth = 0;
  for (let j = i; j < to; j++) {
    const d = text.charCodeAt(j);
    if (d === 34) {
      j = stringEnd(text, j, to) - 1;
      if (j < 0) return -1;
    } else if (d === 123 || d === 91) depth++;
    else if (d === 125 || d === 93) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

function decodeString(content: string, latin1: boolean): string | undefined {
  if (!content.includes('\\')) return content;
  try {
    return JSON.parse(`"${latin1 ? latin1AsUtf8(content) : content}"`) as string;
  } catch {
    return undefined;
  }
}

/**
 * Appends to `edits` what redacts the JSON value in `text[from, to)`. Returns false when that
 * range is not one JSON value; the caller then drops what was appended and scans it as text.
 */
export function scanJson(
  text: string,
  from: number,
  to: number,
  scan: JsonScan,
  edits: Edit[],
): boolean {
  const { latin1, classify, rules, placeholder } = scan;
  const tracksPath = rules.length > 0;
  // The path rules' states at each level below the root (the root itself is never removed).
  const states: PathStates[] = [];
  const root = tracksPath ? rootStates(rules) : [];
  const enter = (segment: string): void => {
    states.push(stepStates(rules, states[states.length - 1] ?? root, segment));
  };
  const frames: Frame[] = [];

  const literalOf = (value: string): string => {
    const literal = JSON.stringify(value);
    return latin1 ? utf8AsLatin1(literal) : literal;
  };

  /** Redacts the string token `text[start, end)` (quotes included) with the detectors. */
  const redactString = (start: number, end: number): void => {
    const content = text.slice(start + 1, end - 1);
    if (content.length < 3) return;
    if (!content.includes('\\')) {
      scan.text.scan(content, edits, start + 1, latin1);
      return;
    }
    if (!scan.text.mayMatch(content) && !HIDING_ESCAPE.test(content)) return;
    const decoded = decodeString(content, latin1);
    if (decoded === undefined) {
      scan.text.scan(content, edits, start + 1, latin1);
      return;
    }
    const redacted = redactDecoded(decoded, scan);
    if (redacted !== decoded) edits.push({ start, end, text: literalOf(redacted) });
  };

  /**
   * The edit replacing the value `text[start, end)` by a placeholder naming `kind`. A container's
   * placeholder is written only when the edits are applied: one inside another that is removed
   * later (nested pairs) is dropped unwritten, so no container is parsed or hashed twice.
   */
  const removal = (kind: string, start: number, end: number): Edit[] => {
    if (text.charCodeAt(start) === 34) {
      const removed = decodeString(text.slice(start + 1, end - 1), latin1);
      // Already a placeholder: removing it again would change nothing but its hash.
      if (removed !== undefined && isPlaceholder(removed)) return [];
      return [{ start, end, text: `"${placeholder(kind, removed ?? text.slice(start, end))}"` }];
    }
    let written: string | undefined;
    const write = (): string => {
      const raw = text.slice(start, end);
      let removed: unknown = raw;
      try {
        removed = JSON.parse(latin1 ? latin1AsUtf8(raw) : raw);
      } catch {
        // Hashed as written.
      }
      return `"${placeholder(kind, removed)}"`;
    };
    return [
      {
        start,
        end,
        get text() {
          written ??= write();
          return written;
        },
      },
    ];
  };

  /** Removes a pair's value found earlier, dropping the edits made inside it. */
  const removeSpan = (kind: string, span: Span): void => {
    edits.splice(
      span.editsFrom,
      span.editsTo - span.editsFrom,
      ...removal(kind, span.start, span.end),
    );
  };

  let i = skipSpace(text, from, to);
  // Each turn reads one value, then what follows it up to the next value.
  for (;;) {
    if (i >= to) return false;
    const frame = frames[frames.length - 1];
    const start = i;
    const editsFrom = edits.length;
    let kind = frame?.kind;
    if (kind === undefined && states.length > 0)
      kind = statesKind(rules, states[states.length - 1]!);
    const c = text.charCodeAt(i);
    if (kind !== undefined) {
      i = valueEnd(text, i, to);
      if (i < 0) return false;
      edits.push(...removal(kind, start, i));
    } else if (c === 123 || c === 91) {
      const array = c === 91;
      i = skipSpace(text, i + 1, to);
      const close = array ? 93 : 125;
      if (text.charCodeAt(i) === close) {
        i++;
      } else {
        frames.push({ array, start, editsFrom, count: 0, kind: undefined, key: '' });
        if (array) {
          if (tracksPath) enter('0');
          continue;
        }
        const next = readKey(i);
        if (next < 0) return false;
        i = next;
        continue;
      }
    } else if (c === 34) {
      i = stringEnd(text, i, to);
      if (i < 0) return false;
      redactString(start, i);
    } else {
      i = literalEnd(text, i, to);
      if (i < 0) return false;
    }
    if (frame !== undefined) notePairPart(frame, c === 34, start, i, editsFrom);

    // After a value: a separator, or the end of one or more containers.
    for (;;) {
      i = skipSpace(text, i, to);
      const top = frames[frames.length - 1];
      if (top === undefined) return i === to;
      if (tracksPath) states.pop();
      const d = text.charCodeAt(i);
      if (d === 44) {
        top.count++;
        i = skipSpace(text, i + 1, to);
        if (top.array) {
          if (tracksPath) enter(String(top.count));
        } else {
          i = readKey(i);
          if (i < 0) return false;
        }
        break;
      }
      if (d !== (top.array ? 93 : 125)) return false;
      i++;
      frames.pop();
      closePair(top);
      const parent = frames[frames.length - 1];
      // The container just closed is a value of its parent.
      if (parent !== undefined) notePairPart(parent, false, top.start, i, top.editsFrom);
    }
  }

  /** Reads `"key":` at `at`; returns where the value starts, or -1. */
  function readKey(at: number): number {
    const top = frames[frames.length - 1]!;
    if (text.charCodeAt(at) !== 34) return -1;
    const end = stringEnd(text, at, to);
    if (end < 0) return -1;
    const key = decodeString(text.slice(at + 1, end - 1), latin1);
    if (key === undefined) return -1;
    redactString(at, end);
    const colon = skipSpace(text, end, to);
    if (text.charCodeAt(colon) !== 58) return -1;
    top.key = key;
    top.kind = classify(key);
    if (tracksPath) enter(key);
    return skipSpace(text, colon + 1, to);
  }

  /**
   * Remembers the parts of a pair: `['Authorization', value]` arrays and `{ key|name, value }`
   * objects hold a name and the value it names (headers, OTLP attributes).
   */
  function notePairPart(
    frame: Frame,
    isString: boolean,
    start: number,
    end: number,
    editsFrom: number,
  ): void {
    if (frame.array) {
      if (frame.count === 0) {
        frame.firstKind = isString ? classifyString(start, end) : undefined;
      } else if (frame.count === 1 && frame.firstKind !== undefined) {
        frame.second = { start, end, editsFrom, editsTo: edits.length };
      }
      return;
    }
    if (frame.kind !== undefined) return;
    if (frame.key === 'key' && isString) frame.keyName = stringAt(start, end);
    else if (frame.key === 'name' && isString) frame.nameName = stringAt(start, end);
    else if (frame.key === 'value') frame.value = { start, end, editsFrom, editsTo: edits.length };
  }

  function closePair(frame: Frame): void {
    if (frame.array) {
      if (frame.count === 1 && frame.firstKind !== undefined && frame.second !== undefined)
        removeSpan(frame.firstKind, frame.second);
      return;
    }
    const name = frame.keyName ?? frame.nameName;
    if (name === undefined || frame.value === undefined) return;
    const kind = classify(name);
    if (kind !== undefined) removeSpan(kind, frame.value);
  }

  function stringAt(start: number, end: number): string | undefined {
    return decodeString(text.slice(start + 1, end - 1), latin1);
  }

  function classifyString(start: number, end: number): string | undefined {
    const value = stringAt(start, end);
    return value === undefined ? undefined : classify(value);
  }
}

/**
 * A decoded string redacted: as JSON when it is JSON (an object, an array, or a string encoded
 * once more), otherwise as text.
 */
function redactDecoded(decoded: string, scan: JsonScan): string {
  const first = decoded.charCodeAt(skipSpace(decoded, 0, decoded.length));
  if ((first === 123 || first === 91 || first === 34) && scan.depth < MAX_EMBEDDED_DEPTH) {
    if (!scan.mayMatch(decoded)) return decoded;
    const edits: Edit[] = [];
    const inner: JsonScan = { ...scan, latin1: false, rules: [], depth: scan.depth + 1 };
    if (scanJson(decoded, 0, decoded.length, inner, edits)) return applyEdits(decoded, edits);
  }
  return scan.text.redact(decoded);
}
