/**
 * The redactor: every rule compiled once per configuration, then applied to strings, values,
 * headers, URLs, bodies and streams alike, with one placeholder format.
 */
import type { Chunk, JsonValue } from '@trace/spec';
import { type BodyScan, bodyMode, mayNeedScan, scanBody } from './body.js';
import { applyEdits, type Edit, latin1Bytes, latin1Text } from './edits.js';
import { RedactError, RedactErrorCode } from './errors.js';
import type { PairScan } from './form-pairs.js';
import { compileHeaderDrop } from './headers.js';
import type { JsonScan } from './json-text.js';
import { compileKeys, type KeyClassifier } from './keys.js';
import { type RedactionOptions, resolveOptions } from './options.js';
import { matchPathRules } from './paths.js';
import { placeholderWriter } from './placeholder.js';
import { redactJson } from './plain-json.js';
import { compilePrefilter } from './prefilter.js';
import { applyEditsToChunks, streamText } from './stream.js';
import { createTextRedactor, type RedactionScope } from './text.js';
import { redactUrlText } from './url.js';
import { redactValue } from './value.js';
import type { WalkRules } from './walk-rules.js';

/** A configured redactor. Build one per configuration and reuse it: its rules are compiled once. */
export interface Redactor {
  /** `text` with every detected secret replaced; the same string when nothing was found. */
  redactString(text: string, scope?: RedactionScope): string;
  /**
   * A JSON-safe, redacted copy of any value: key-name rules, path rules (with `path` as the
   * value's position) and value detectors, through nested objects and arrays. What JSON cannot
   * hold is converted (`Date` → ISO text, `Map` → object, bytes → `[BYTES:n]`, `NaN` → `null`);
   * a cycle throws `REDACT_INVALID_INPUT`.
   */
  redactValue(value: unknown, path?: readonly string[], scope?: RedactionScope): JsonValue;
  /**
   * Plain JSON data redacted copy-on-write: the same value back when nothing changed, otherwise a
   * copy of only the objects and arrays on the way to a change. Values that are not plain JSON
   * (a `Date`, a class instance, `NaN`, `undefined`) are left as they are, for the caller to refuse.
   */
  redactJson(value: unknown, path?: readonly string[], scope?: RedactionScope): unknown;
  /**
   * Headers as they may be recorded: credential headers dropped, the others' values scanned;
   * names lower-cased, order kept. Takes a `Headers`, `[name, value]` pairs or a plain object.
   */
  redactHeaders(
    headers: Iterable<readonly [string, string]> | Readonly<Record<string, string>>,
  ): [string, string][];
  /** True when a header (any case) is dropped from recordings. */
  dropsHeader(name: string): boolean;
  /**
   * A URL with key-like query values and its user info replaced and its text scanned; every other
   * character unchanged. Without `?` or `@`, the string is only scanned, never parsed.
   */
  redactUrl(url: string): string;
  /**
   * A whole body redacted: the same `Uint8Array` back when nothing was found, otherwise new bytes
   * that differ only where something was removed. `contentType` chooses how it is read (JSON stays
   * valid JSON; binary is left alone); without one the body is sniffed.
   */
  redactBody(body: Uint8Array, contentType?: string | null): Uint8Array;
  /**
   * A streamed body redacted across its chunk boundaries: the same array back when nothing was
   * found, otherwise as many chunks with the same offsets, each placeholder in the chunk where its
   * secret starts. Body fields (`bodyFields`) apply to whole bodies only.
   */
  redactStream(chunks: readonly Chunk[], contentType?: string | null): readonly Chunk[];
  /** The placeholder for a value removed under `kind`. */
  placeholder(kind: string, removed: unknown): string;
  /** The kind of the user path rule (`paths`) covering `path`, or undefined. */
  pathKind(path: readonly string[]): string | undefined;
}

function invalidInput(message: string): never {
  throw new RedactError(RedactErrorCode.INVALID_INPUT, message);
}

function checkContentType(contentType: unknown): void {
  if (contentType !== undefined && contentType !== null && typeof contentType !== 'string') {
    invalidInput('The content type must be a string such as "application/json", or null.');
  }
}

function isChunkList(value: unknown): value is readonly Chunk[] {
  return (
    Array.isArray(value) &&
    value.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        typeof (c as Chunk).offsetMs === 'number' &&
        (c as Chunk).bytes instanceof Uint8Array,
    )
  );
}

function headerEntries(
  headers: Iterable<readonly [string, string]> | Readonly<Record<string, string>>,
): Iterable<readonly [unknown, unknown]> {
  if (typeof headers !== 'object' || headers === null) {
    invalidInput('Headers must be a Headers object, [name, value] pairs or a plain object.');
  }
  return Symbol.iterator in headers
    ? (headers as Iterable<readonly [string, string]>)
    : Object.entries(headers);
}

/**
 * Builds a {@link Redactor}. Throws `REDACT_INVALID_OPTIONS` for a malformed option; the message
 * says which and how to write it.
 */
export function compileRedactor(options?: RedactionOptions): Redactor {
  const resolved = resolveOptions(options);
  const keys = compileKeys(resolved.keys);
  const placeholder = placeholderWriter(resolved.hashKey);
  const text = createTextRedactor(
    { email: resolved.email, phone: resolved.phone, card: resolved.card },
    keys.classify,
    placeholder,
  );
  // Keys and pair names are classified as they read once redacted: a name that holds a secret
  // (`{"token":"xoxb-…"}` as the first item of a pair) must name its neighbour on the first pass
  // exactly as its redacted form will on the next, or redaction would not be idempotent.
  const classifyName = classifyRedacted(keys.classify, (name) => text.redact(name, false));
  const keyPrefilter = compilePrefilter([
    ...keys.triggers,
    // Escapes can hide a trigger inside a JSON string: `\u0073k-…`, `https:\/\/user:pw@…`.
    '\\u00[2-7][0-9a-fA-F]',
    '\\/\\/',
  ]);
  // JSON text: a detector's trigger, a credential key name, or an escape that may hide one.
  const jsonMayMatch = (t: string): boolean => text.mayMatch(t) || keyPrefilter.test(t);
  const jsonScan = (rules: JsonScan['rules']): JsonScan => ({
    latin1: true,
    classify: classifyName,
    rules,
    text,
    placeholder,
    mayMatch: jsonMayMatch,
    depth: 0,
  });
  const pairs = (latin1: boolean, raw: boolean): PairScan => ({
    classify: classifyName,
    text,
    placeholder,
    latin1,
    raw,
  });
  const wholeBody: BodyScan = {
    text,
    json: jsonScan(resolved.bodyFields),
    pairs: pairs(true, true),
  };
  const streamBody: BodyScan = { text, json: jsonScan([]), pairs: pairs(true, true) };
  const urlPairs = pairs(false, false);
  const dropHeader = compileHeaderDrop(resolved.dropHeaders, keys.classify);

  const keyCache = new Map<string, string>();
  const walkRules: WalkRules = {
    classify: classifyName,
    rules: resolved.paths,
    text,
    placeholder,
    redactKey(key, scope) {
      // Agents reuse a small set of key names: remember what each became.
      if (scope !== undefined && (scope.pii === true || scope.pci === true)) {
        return text.redact(key, false, scope);
      }
      let safe = keyCache.get(key);
      if (safe === undefined) {
        safe = text.redact(key);
        if (keyCache.size >= 4096) keyCache.clear();
        keyCache.set(key, safe);
      }
      return safe;
    },
  };

  const edit = (source: string, mode: ReturnType<typeof bodyMode>, scan: BodyScan): Edit[] => {
    const edits: Edit[] = [];
    if (mayNeedScan(source, mode, scan)) scanBody(source, mode, scan, edits);
    return edits;
  };

  return {
    redactString(value, scope) {
      if (typeof value !== 'string') invalidInput('redactString takes a string.');
      return text.redact(value, false, scope);
    },
    redactValue: (value, path = [], scope) => redactValue(value, path, scope, walkRules),
    redactJson: (value, path = [], scope) => redactJson(value, path, scope, walkRules),
    redactHeaders(headers) {
      const kept: [string, string][] = [];
      for (const entry of headerEntries(headers)) {
        const [name, value] = Array.isArray(entry) ? entry : [];
        if (typeof name !== 'string' || typeof value !== 'string') {
          invalidInput('Each header must be a [name, value] pair of strings.');
        }
        const lower = name.toLowerCase();
        // A name is scanned too, before it is lower-cased (which would hide `AKIA…` keys).
        if (!dropHeader(lower)) kept.push([text.redact(name).toLowerCase(), text.redact(value)]);
      }
      return kept;
    },
    dropsHeader: (name) => dropHeader(name.toLowerCase()),
    redactUrl(url) {
      if (typeof url !== 'string') invalidInput('redactUrl takes a string.');
      return redactUrlText(url, text, urlPairs, placeholder);
    },
    redactBody(body, contentType) {
      if (!(body instanceof Uint8Array)) invalidInput('redactBody takes the body as a Uint8Array.');
      checkContentType(contentType);
      if (body.byteLength === 0) return body;
      const source = latin1Text(body);
      const edits = edit(source, bodyMode(contentType, source), wholeBody);
      return edits.length === 0 ? body : latin1Bytes(applyEdits(source, edits));
    },
    redactStream(chunks, contentType) {
      if (!isChunkList(chunks)) {
        invalidInput(
          'redactStream takes an array of chunks, each { offsetMs, bytes: Uint8Array }.',
        );
      }
      checkContentType(contentType);
      if (chunks.every((c) => c.bytes.byteLength === 0)) return chunks;
      const source = streamText(chunks);
      const edits = edit(source, bodyMode(contentType, source), streamBody);
      return edits.length === 0 ? chunks : applyEditsToChunks(chunks, source, edits);
    },
    placeholder: (kind, removed) => placeholder(kind, removed),
    pathKind: (path) =>
      resolved.paths.length === 0 ? undefined : matchPathRules(resolved.paths, path),
  };
}

/** A classifier of names as they read once redacted, remembering a bounded number of verdicts. */
function classifyRedacted(
  classify: KeyClassifier,
  redact: (name: string) => string,
): KeyClassifier {
  const cache = new Map<string, string | null>();
  return (name) => {
    let kind = cache.get(name);
    if (kind === undefined) {
      kind = classify(redact(name)) ?? null;
      if (cache.size >= 4096) cache.clear();
      cache.set(name, kind);
    }
    return kind ?? undefined;
  };
}
