/**
 * Credential scrubbing applied to every payload before it is hashed and written, so a token an
 * agent passed around never reaches disk (on by default; `redact: false` turns it off).
 */

/** What a redacted value or fragment is replaced with. */
export const REDACTED = '[REDACTED]';

/** Member names whose values are always credentials, compared lower-cased without `-` and `_`. */
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'apikey',
  'xapikey',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'cookie',
  'setcookie',
  'privatekey',
]);

/** Credential shapes found inside longer strings: provider API keys, bearer tokens, PEM keys. */
const SECRET_PATTERN =
  /sk-[A-Za-z0-9_-]{16,}|\bBearer\s+[A-Za-z0-9._~+/-]{8,}=*|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;

/** True when a member with this name holds a credential whatever its value. */
export function isSecretKey(name: string): boolean {
  let secret = keyVerdicts.get(name);
  if (secret === undefined) {
    secret = SECRET_KEYS.has(name.toLowerCase().replace(/[-_]/g, ''));
    // Payload member names repeat endlessly; remember a bounded number of verdicts.
    if (keyVerdicts.size >= 10_000) keyVerdicts.clear();
    keyVerdicts.set(name, secret);
  }
  return secret;
}

const keyVerdicts = new Map<string, boolean>();

/** The string with every credential-shaped fragment replaced, or the same string when clean. */
export function scrubString(text: string): string {
  SECRET_PATTERN.lastIndex = 0;
  if (!SECRET_PATTERN.test(text)) return text;
  SECRET_PATTERN.lastIndex = 0;
  return text.replace(SECRET_PATTERN, REDACTED);
}

/**
 * Returns `value` with credentials replaced, copying only the parts that change, so a clean
 * payload is returned as is.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value !== 'object' || value === null || depth > 64) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = redact(value[i], depth + 1);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const member = record[key];
    const next = isSecretKey(key) && holdsValue(member) ? REDACTED : redact(member, depth + 1);
    if (next !== member) {
      copy ??= { ...record };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

/** Numbers and booleans under a secret-sounding name (a token count) are not credentials. */
function holdsValue(member: unknown): boolean {
  return (
    (typeof member === 'string' && member !== '') || (typeof member === 'object' && member !== null)
  );
}
