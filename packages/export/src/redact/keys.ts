/**
 * Key-name rules: a value stored under a key that names a credential is removed whole, whatever
 * it looks like. Keys are compared in a normalised form (lower case, letters and digits only), so
 * `X-Api-Key`, `api_key` and `apiKey` are one rule.
 */

interface KeyRule {
  readonly kind: string;
  readonly test: (normalised: string) => boolean;
}

const BUILT_IN_RULES: readonly KeyRule[] = [
  { kind: 'authorization', test: (k) => k.includes('authorization') },
  { kind: 'api_key', test: (k) => k.includes('apikey') },
  {
    kind: 'password',
    test: (k) =>
      k.includes('password') || k.includes('passwd') || k.includes('passphrase') || k === 'pwd',
  },
  { kind: 'private_key', test: (k) => k.includes('privatekey') },
  { kind: 'secret', test: (k) => k.includes('secret') },
  // Only a key that *ends* in "token" names a credential: `max_tokens`, `input_tokens` and
  // `tokenizer` are counts and settings that must survive.
  { kind: 'token', test: (k) => k.endsWith('token') },
  { kind: 'cookie', test: (k) => k.includes('cookie') },
  { kind: 'credential', test: (k) => k.includes('credential') },
  { kind: 'access_key', test: (k) => k.includes('accesskey') },
  { kind: 'session', test: (k) => k === 'sessionid' || k === 'sessionkey' || k === 'sid' },
];

/** Normalises a key name for the rules: lower case, letters and digits only. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export type KeyClassifier = (key: string) => string | undefined;

/**
 * Builds a classifier returning the placeholder kind for a sensitive key name, or undefined.
 * `extraKeys` are normalised the same way and matched as substrings, with kind `sensitive_key`.
 */
export function createKeyClassifier(extraKeys: readonly string[] = []): KeyClassifier {
  const extra = extraKeys.map(normaliseKey).filter((k) => k.length > 0);
  // Agents reuse a small set of key names; caching keeps the classifier off the hot path.
  const cache = new Map<string, string | null>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    // A placeholder inside a key ("[REDACTED:aws_access_key]") names what was removed, not a
    // credential key: ignoring it keeps redaction idempotent.
    const normalised = normaliseKey(key.replace(/\[REDACTED:[^\]]*\]/g, ''));
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
}
