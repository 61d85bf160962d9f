/** The options of a redactor, and their validation. */
import { RedactError, RedactErrorCode } from './errors.js';
import { compileKeys } from './keys.js';
import { type PathRule, parseBodyField, parsePathRule } from './paths.js';
import { placeholderWriter, sanitiseKind } from './placeholder.js';
import { createTextRedactor, type TextRedactor } from './text.js';

/** How to redact. Credentials are always removed; everything here adds to that. */
export interface RedactionOptions {
  /** Also remove e-mail addresses and phone numbers everywhere (off by default). */
  readonly pii?: boolean | { readonly email?: boolean; readonly phone?: boolean };
  /** Also remove payment card numbers (Luhn-checked) everywhere (off by default). */
  readonly cards?: boolean;
  /**
   * Positions in a value whose values are removed whole, for `redactValue` and `redactJson`:
   * `arguments.customer.ssn`, `arguments.rows.*.email`, `**.dateOfBirth`. A string uses kind
   * `path`.
   */
  readonly paths?: readonly (string | { readonly path: string; readonly kind?: string })[];
  /** Extra key names to treat as credentials (matched like the built-in key-name rules). */
  readonly keys?: readonly string[];
  /**
   * When set, placeholders carry a keyed hash (`[REDACTED:openai_key#3f9a…]`, HMAC-SHA-256, 64
   * bits shown) so equal secrets can be joined across records without being revealed. Keep the
   * key secret: anyone holding it can confirm a guessed secret. At least 16 characters or bytes.
   */
  readonly hashKey?: string | Uint8Array;
  /** More headers to drop, by name (any case) or by a pattern tested on the lower-case name. */
  readonly dropHeaders?: readonly (string | RegExp)[];
  /**
   * Fields of JSON bodies whose values are removed whole, for `redactBody`: a bare name
   * (`api_key`) at any depth, a dotted path (`auth.token`, `items[*].secret`, `list[0]`) from
   * the body's root.
   */
  readonly bodyFields?: readonly string[];
}

const KNOWN = new Set(['pii', 'cards', 'paths', 'keys', 'hashKey', 'dropHeaders', 'bodyFields']);

/** The options, checked and compiled into the form the redactor uses. */
export interface ResolvedOptions {
  readonly email: boolean;
  readonly phone: boolean;
  readonly card: boolean;
  readonly paths: readonly PathRule[];
  readonly bodyFields: readonly PathRule[];
  readonly keys: readonly string[];
  readonly hashKey: string | Uint8Array | undefined;
  readonly dropHeaders: readonly (string | RegExp)[];
}

let defaults: TextRedactor | undefined;

/** Text from the options redacted with the default rules, for an error message. */
function redactForMessage(text: string): string {
  defaults ??= createTextRedactor(
    { email: false, phone: false, card: false },
    compileKeys().classify,
    placeholderWriter(undefined),
  );
  return defaults.redact(text);
}

function fail(message: string): never {
  throw new RedactError(RedactErrorCode.INVALID_OPTIONS, message);
}

function listOf<T>(name: string, value: unknown, check: (item: unknown) => item is T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`Redaction \`${name}\` must be an array.`);
  return value.map((item) => {
    if (!check(item)) fail(describe(name));
    return item;
  });
}

function describe(name: string): string {
  switch (name) {
    case 'paths':
      return 'Each redaction path rule must be a dot-separated path like "arguments.user.ssn" or "**.email", or { path, kind }.';
    case 'keys':
      return 'Redaction `keys` must be non-empty strings naming credential keys, e.g. "x-tenant-key".';
    case 'dropHeaders':
      return 'Redaction `dropHeaders` must be header names or regular expressions, e.g. "x-tenant-id" or /^x-internal-/.';
    default:
      return 'Redaction `bodyFields` must be field paths like "api_key", "auth.token" or "items[*].secret".';
  }
}

const isPathText = (path: unknown): path is string =>
  typeof path === 'string' && path.length > 0 && !path.split('.').some((s) => s === '');

export function resolveOptions(options: RedactionOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    fail('Redaction options must be an object, e.g. { pii: true, keys: ["x-tenant-key"] }.');
  }
  const unknown = Object.keys(options).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    // A misspelt name is worth quoting; a credential passed as a name by mistake is not.
    const quoted = unknown.map((k) => JSON.stringify(redactForMessage(k))).join(', ');
    fail(`Unknown redaction option ${quoted}: the options are ${[...KNOWN].join(', ')}.`);
  }
  const { pii, cards, hashKey } = options;
  if (
    pii !== undefined &&
    typeof pii !== 'boolean' &&
    (typeof pii !== 'object' ||
      pii === null ||
      (pii.email !== undefined && typeof pii.email !== 'boolean') ||
      (pii.phone !== undefined && typeof pii.phone !== 'boolean'))
  ) {
    fail('Redaction `pii` must be true, false, or { email?: boolean, phone?: boolean }.');
  }
  if (cards !== undefined && typeof cards !== 'boolean') {
    fail('Redaction `cards` must be true or false.');
  }
  if (hashKey !== undefined && !(typeof hashKey === 'string' || hashKey instanceof Uint8Array)) {
    fail('Redaction `hashKey` must be a string or a Uint8Array.');
  }
  if (hashKey !== undefined && hashKey.length < 16) {
    fail(
      'Redaction `hashKey` must be at least 16 characters or bytes: a short key lets anyone confirm guessed secrets.',
    );
  }
  const paths = listOf(
    'paths',
    options.paths,
    (rule): rule is string | { path: string; kind?: string } =>
      isPathText(rule) ||
      (typeof rule === 'object' &&
        rule !== null &&
        isPathText((rule as { path?: unknown }).path) &&
        ['string', 'undefined'].includes(typeof (rule as { kind?: unknown }).kind)),
  ).map((rule) =>
    typeof rule === 'string'
      ? parsePathRule(rule, 'path')
      : parsePathRule(rule.path, sanitiseKind(rule.kind ?? 'path')),
  );
  const keys = listOf(
    'keys',
    options.keys,
    (key): key is string => typeof key === 'string' && key.length > 0,
  );
  const dropHeaders = listOf(
    'dropHeaders',
    options.dropHeaders,
    (entry): entry is string | RegExp =>
      (typeof entry === 'string' && entry.length > 0) || entry instanceof RegExp,
  );
  const bodyFields = listOf(
    'bodyFields',
    options.bodyFields,
    (field): field is string =>
      typeof field === 'string' && parseBodyField(field, 'path') !== undefined,
  ).map((field) => parseBodyField(field, 'path')!);
  return {
    email: pii === true || (typeof pii === 'object' && pii.email === true),
    phone: pii === true || (typeof pii === 'object' && pii.phone === true),
    card: cards === true,
    paths,
    bodyFields,
    keys,
    hashKey,
    dropHeaders,
  };
}
