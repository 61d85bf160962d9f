import { createHmac } from 'node:crypto';
import type { JsonValue } from '@trace/spec';
import { ExportError, ExportErrorCode } from '../errors.js';
import { type CompiledDetectors, compileDetectors, PLACEHOLDER_SOURCE } from './detectors.js';
import { createKeyClassifier, type KeyClassifier } from './keys.js';
import { matchPathRules, type PathRule, parsePathRule } from './paths.js';

/** How to redact. Credentials are always removed; everything here adds to that. */
export interface RedactionOptions {
  /** Also remove e-mail addresses and phone numbers everywhere (off by default). */
  readonly pii?: boolean | { readonly email?: boolean; readonly phone?: boolean };
  /** Also remove payment card numbers (Luhn-checked) everywhere (off by default). */
  readonly cards?: boolean;
  /**
   * Paths into each trace whose values are removed whole: `arguments.customer.ssn`,
   * `arguments.rows.*.email`, `**.dateOfBirth`. A string uses kind `path`.
   */
  readonly paths?: readonly (string | { readonly path: string; readonly kind?: string })[];
  /** Extra key names to treat as credentials (matched like the built-in key-name rules). */
  readonly keys?: readonly string[];
  /**
   * When set, placeholders carry a keyed hash (`[REDACTED:openai_key#3f9a…]`, HMAC-SHA-256, 64
   * bits shown) so equal secrets can be joined across traces without being revealed. Keep the
   * key secret: anyone holding it can confirm a guessed secret.
   */
  readonly hashKey?: string | Uint8Array;
}

/** Extra detectors one trace turns on because of what its capability handled. */
export interface RedactionScope {
  readonly pii?: boolean;
  readonly pci?: boolean;
}

/** A configured redactor. Reuse one across many traces: it caches its compiled expressions. */
export interface Redactor {
  /** Removes every detected secret from a string. */
  redactString(value: string, scope?: RedactionScope): string;
  /**
   * Returns a JSON-safe, redacted copy of `value`: key-name rules, path rules (with `path` as
   * the value's position in a trace) and value detectors, through nested objects and arrays.
   */
  redactValue(value: unknown, path?: readonly string[], scope?: RedactionScope): JsonValue;
  /** The placeholder for a value removed under `kind`. */
  placeholder(kind: string, removed: unknown): string;
  /** True when `path` (a position in a trace) is covered by a user path rule. */
  pathKind(path: readonly string[]): string | undefined;
}

const MAX_DEPTH = 64;
const WHOLE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER_SOURCE}$`);

/** True when `value` is exactly one placeholder this package writes. */
export function isPlaceholder(value: string): boolean {
  return value.startsWith('[REDACTED:') && WHOLE_PLACEHOLDER.test(value);
}

/** A Map key as an object key; a key with no string form (a null-prototype object) gets its tag. */
function keyText(key: unknown): string {
  try {
    return String(key);
  } catch {
    return Object.prototype.toString.call(key);
  }
}

function sanitiseKind(kind: string): string {
  const clean = kind.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return clean.length > 0 ? clean : 'path';
}

function validateOptions(options: RedactionOptions): void {
  const fail = (message: string): never => {
    throw new ExportError(ExportErrorCode.INVALID_OPTIONS, message);
  };
  for (const rule of options.paths ?? []) {
    const path = typeof rule === 'string' ? rule : rule?.path;
    if (typeof path !== 'string' || path.length === 0 || path.split('.').some((s) => s === '')) {
      fail(
        `Redaction path rule ${JSON.stringify(path)} is not a dot-separated path: write it like "arguments.user.ssn" or "**.email".`,
      );
    }
  }
  for (const key of options.keys ?? []) {
    if (typeof key !== 'string' || key.length === 0) {
      fail(
        'Redaction `keys` must be non-empty strings naming credential keys, e.g. "x-tenant-key".',
      );
    }
  }
  const hashKey = options.hashKey;
  if (hashKey !== undefined && !(typeof hashKey === 'string' || hashKey instanceof Uint8Array)) {
    fail('Redaction `hashKey` must be a string or a Uint8Array.');
  }
  if (hashKey !== undefined && hashKey.length < 16) {
    fail(
      'Redaction `hashKey` must be at least 16 characters or bytes: a short key lets anyone confirm guessed secrets.',
    );
  }
}

/** Builds a {@link Redactor}; throws `EXPORT_INVALID_OPTIONS` for a malformed option. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  validateOptions(options);
  const pii = options.pii;
  const baseEmail = pii === true || (typeof pii === 'object' && pii.email === true);
  const basePhone = pii === true || (typeof pii === 'object' && pii.phone === true);
  const baseCard = options.cards === true;
  const classifyKey: KeyClassifier = createKeyClassifier(options.keys);
  const pathRules: PathRule[] = (options.paths ?? []).map((rule) =>
    typeof rule === 'string'
      ? parsePathRule(rule, 'path')
      : parsePathRule(rule.path, sanitiseKind(rule.kind ?? 'path')),
  );
  const hashKey = options.hashKey;
  const compiled = new Map<number, CompiledDetectors>();
  const keyCache = new Map<string, string>();

  const placeholder = (kind: string, removed: unknown): string => {
    if (hashKey === undefined) return `[REDACTED:${kind}]`;
    let text: string;
    if (typeof removed === 'string') text = removed;
    else {
      try {
        text = JSON.stringify(removed) ?? String(removed);
      } catch {
        text = String(removed);
      }
    }
    const digest = createHmac('sha256', hashKey).update(text).digest('hex').slice(0, 16);
    return `[REDACTED:${kind}#${digest}]`;
  };

  const base = compileDetectors({ email: baseEmail, phone: basePhone, card: baseCard });
  const detectorsFor = (scope: RedactionScope | undefined): CompiledDetectors => {
    // The common case (no per-trace extras) skips the cache lookup: this runs for every string.
    if (scope === undefined || (scope.pii !== true && scope.pci !== true)) return base;
    const email = baseEmail || scope?.pii === true;
    const phone = basePhone || scope?.pii === true;
    const card = baseCard || scope?.pci === true;
    const mask = (email ? 1 : 0) | (phone ? 2 : 0) | (card ? 4 : 0);
    let entry = compiled.get(mask);
    if (entry === undefined) {
      entry = compileDetectors({ email, phone, card });
      compiled.set(mask, entry);
    }
    return entry;
  };

  const redactString = (value: string, scope?: RedactionScope): string => {
    const { regex, prefilter, detectors } = detectorsFor(scope);
    if (value.length < 3 || !prefilter.test(value)) return value;
    regex.lastIndex = 0;
    return value.replace(regex, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      for (let i = 0; i < detectors.length; i++) {
        if (groups[`d${i}`] === undefined) continue;
        const detector = detectors[i]!;
        if (detector.kind === 'keep') return match;
        const secret = groups[`S${i}`] ?? match;
        if (detector.validate !== undefined && !detector.validate(secret)) return match;
        let prefix = groups[`P${i}`] ?? '';
        let kind = detector.kind;
        if (kind === 'key') {
          // The key text itself may hold a credential (it is a whole word): scan it too.
          const key = groups[`K${i}`] ?? '';
          kind = classifyKey(key) ?? 'secret';
          prefix = `${redactString(key, scope)}${prefix.slice(key.length)}`;
        }
        const quoted = secret.length >= 2 && secret.startsWith('"') && secret.endsWith('"');
        const body = placeholder(kind, quoted ? secret.slice(1, -1) : secret);
        return `${prefix}${quoted ? `"${body}"` : body}${groups[`X${i}`] ?? ''}`;
      }
      return match;
    });
  };

  const pathKind = (path: readonly string[]): string | undefined =>
    pathRules.length === 0 ? undefined : matchPathRules(pathRules, path);

  const redactValue = (
    value: unknown,
    basePath: readonly string[] = [],
    scope?: RedactionScope,
  ): JsonValue => {
    const trackPath = pathRules.length > 0;
    const path: string[] = [...basePath];
    // The objects being walked, outermost first: a value found among them is a cycle.
    const ancestors: object[] = [];
    const plainScope = scope === undefined || (scope.pii !== true && scope.pci !== true);
    const redactKey = (key: string): string => {
      // Agents reuse a small set of key names: remember what each became.
      if (!plainScope) return redactString(key, scope);
      let safe = keyCache.get(key);
      if (safe === undefined) {
        safe = redactString(key);
        if (keyCache.size >= 4096) keyCache.clear();
        keyCache.set(key, safe);
      }
      return safe;
    };

    const removeWhole = (kind: string, removed: unknown): string =>
      typeof removed === 'string' && isPlaceholder(removed) ? removed : placeholder(kind, removed);

    const walk = (current: unknown, depth: number): JsonValue | undefined => {
      if (trackPath && path.length > 0) {
        const kind = matchPathRules(pathRules, path);
        if (kind !== undefined) return removeWhole(kind, current);
      }
      switch (typeof current) {
        case 'string':
          return redactString(current, scope);
        case 'number':
          // JSON has no -0, NaN or Infinity: write what JSON.parse would read back.
          return Number.isFinite(current) ? (current === 0 ? 0 : current) : null;
        case 'boolean':
          return current;
        case 'bigint':
          return current.toString();
        case 'undefined':
        case 'function':
        case 'symbol':
          return undefined;
      }
      if (current === null) return null;
      const object = current as object;
      if (depth >= MAX_DEPTH) return '[TRUNCATED:depth]';
      if (ancestors.includes(object)) {
        throw new ExportError(
          ExportErrorCode.INVALID_TRACE,
          `The value at "${path.join('.')}" refers to itself: pass plain, acyclic JSON data.`,
          { details: { path: path.join('.') } },
        );
      }
      if (object instanceof Date) {
        return Number.isNaN(object.getTime()) ? null : object.toISOString();
      }
      if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
        // Raw bytes may hold anything; only their size leaves.
        return `[BYTES:${object.byteLength}]`;
      }
      ancestors.push(object);
      try {
        if (Array.isArray(object) || object instanceof Set) {
          const items = Array.isArray(object) ? object : [...object];
          const sensitivePair =
            items.length === 2 && typeof items[0] === 'string' ? classifyKey(items[0]) : undefined;
          const out: JsonValue[] = [];
          for (let i = 0; i < items.length; i++) {
            if (trackPath) path.push(String(i));
            const item =
              i === 1 && sensitivePair !== undefined
                ? removeWhole(sensitivePair, items[1])
                : walk(items[i], depth + 1);
            if (trackPath) path.pop();
            out.push(item === undefined ? null : item);
          }
          return out;
        }
        if (object instanceof Error) {
          return walk({ name: object.name, message: object.message }, depth);
        }
        if (object instanceof Map) {
          return walk(Object.fromEntries([...object].map(([k, v]) => [keyText(k), v])), depth);
        }
        const toJSON = (object as { toJSON?: unknown }).toJSON;
        if (typeof toJSON === 'function') {
          // The converted value is new; only the object itself is an ancestor of it.
          return walk(toJSON.call(object), depth + 1);
        }
        const record = object as Record<string, unknown>;
        // `{ key: 'authorization', value: … }` and `{ name: …, value: … }` pairs (OTLP
        // attributes, header objects) are flattened key/value metadata: apply the key rule.
        const pairName =
          typeof record.key === 'string'
            ? record.key
            : typeof record.name === 'string'
              ? record.name
              : undefined;
        const pairKind =
          pairName !== undefined && 'value' in record ? classifyKey(pairName) : undefined;
        const out: Record<string, JsonValue> = {};
        for (const key of Object.keys(record)) {
          const safeKey = redactKey(key);
          if (trackPath) path.push(key);
          const kind = key === 'value' && pairKind !== undefined ? pairKind : classifyKey(key);
          const item =
            kind !== undefined ? removeWhole(kind, record[key]) : walk(record[key], depth + 1);
          if (trackPath) path.pop();
          if (item !== undefined) out[safeKey] = item;
        }
        return out;
      } finally {
        ancestors.pop();
      }
    };

    const result = walk(value, 0);
    return result === undefined ? null : result;
  };

  return { redactString, redactValue, placeholder, pathKind };
}
