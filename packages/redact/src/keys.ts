/**
 * Key-name rules: a value stored under a key that names a credential is removed whole, whatever
 * it looks like. Keys are compared in a normalised form (lower case, letters and digits only), so
 * `X-Api-Key`, `api_key` and `apiKey` are one rule. The same rules name credential headers and
 * credential query parameters.
 */

interface KeyRule {
  readonly kind: string;
  readonly test: (normalised: string) => boolean;
}

/** Pagination cursors end in "token" but are not credentials (`nextToken`, `page_token`). */
const CURSOR_TOKEN = /(?:page|next|continuation|sync|resume|cursor)token$/;

const BUILT_IN_RULES: readonly KeyRule[] = [
  { kind: 'authorization', test: (k) => k.includes('authorization') || k === 'auth' },
  { kind: 'api_key', test: (k) => k.includes('apikey') },
  {
    kind: 'password',
    test: (k) =>
      k.includes('password') ||
      k.includes('passwd') ||
      k.includes('passphrase') ||
      k === 'pwd' ||
      k === 'pass',
  },
  { kind: 'private_key', test: (k) => k.includes('privatekey') },
  { kind: 'secret', test: (k) => k.includes('secret') },
  // Only a key that *ends* in "token" names a credential: `max_tokens`, `input_tokens` and
  // `tokenizer` are counts and settings that must survive.
  { kind: 'token', test: (k) => k.endsWith('token') && !CURSOR_TOKEN.test(k) },
  { kind: 'cookie', test: (k) => k.includes('cookie') },
  { kind: 'credential', test: (k) => k.includes('credential') },
  { kind: 'access_key', test: (k) => k.includes('accesskey') },
  { kind: 'session', test: (k) => k === 'sessionid' || k === 'sessionkey' || k === 'sid' },
  { kind: 'connection_string', test: (k) => k.includes('connectionstring') },
  { kind: 'dsn', test: (k) => k === 'dsn' },
];

/** The separators key names are written with in JSON text. */
const SEPARATORS = '[-_. ]*';

/** A case-insensitive literal without the `i` flag (the prefilter's case is exact). */
function ci(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

/**
 * Finds, in any case, every key name some built-in rule matches as it is usually written in
 * JSON text (words joined by nothing, `-`, `_`, `.` or a space). JSON bodies that contain none of
 * these, and none of the value detectors' triggers, are skipped. Each starts with a letter, so
 * the prefilter does not stop at every quote.
 */
const BUILT_IN_TRIGGERS = [
  ci('auth'),
  `${ci('api')}${SEPARATORS}${ci('key')}`,
  ci('pass'),
  ci('pwd'),
  `${ci('private')}${SEPARATORS}${ci('key')}`,
  ci('secret'),
  `${ci('token')}${SEPARATORS}"`,
  ci('cookie'),
  ci('credential'),
  `${ci('access')}${SEPARATORS}${ci('key')}`,
  `${ci('session')}${SEPARATORS}(?:${ci('id')}|${ci('key')})`,
  `${ci('sid')}${SEPARATORS}"`,
  `${ci('connection')}${SEPARATORS}${ci('string')}`,
  ci('dsn'),
];

/** Normalises a key name for the rules: lower case, letters and digits only. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export type KeyClassifier = (key: string) => string | undefined;

export interface CompiledKeys {
  /** The placeholder kind for a sensitive key name, or undefined. */
  readonly classify: KeyClassifier;
  /** Prefilter triggers finding every key `classify` names, as written in JSON text. */
  readonly triggers: readonly string[];
}

const PLACEHOLDER_IN_KEY = /\[REDACTED:[^\]]*\]/g;

/**
 * Compiles the key-name rules. `extraKeys` are normalised the same way and matched as substrings,
 * with kind `sensitive_key`.
 */
export function compileKeys(extraKeys: readonly string[] = []): CompiledKeys {
  const extra = extraKeys.map(normaliseKey).filter((k) => k.length > 0);
  // Agents reuse a small set of key names; caching keeps the classifier off the hot path.
  const cache = new Map<string, string | null>();
  const classify: KeyClassifier = (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    // A placeholder inside a key ("[REDACTED:aws_access_key]") names what was removed, not a
    // credential key: ignoring it keeps redaction idempotent.
    const normalised = normaliseKey(
      key.includes('[REDACTED:') ? key.replace(PLACEHOLDER_IN_KEY, '') : key,
    );
    let kind: string | null = null;
    for (const rule of BUILT_IN_RULES) {
      if (rule.test(normalised)) {
        kind = rule.kind;
        break;
      }
    }
    if (kind === null && extra.some((k) => normalised.includes(k))) kind = 'sensitive_key';
    if (cache.size >= 4096) cache.clear();
    cache.set(key, kind);
    return kind ?? undefined;
  };
  // An extra key's characters may be joined by any of the usual separators.
  const extraTriggers = extra.map((k) => [...k].map(ci).join(SEPARATORS));
  return { classify, triggers: [...BUILT_IN_TRIGGERS, ...extraTriggers] };
}
