/**
 * Value detectors: credential formats recognised inside any string, wherever it sits (an argument,
 * an error message, a URL, a flattened attribute). All detectors run as one combined regular
 * expression, so a string is scanned once however many detectors there are.
 *
 * Detectors that keep some context (`Bearer `, `password=`, a URL's user name) mark it with the
 * named groups `P` (kept prefix), `S` (the secret) and `X` (kept suffix); `K` is a key name whose
 * rule names the kind. The groups are renamed per detector when the expression is assembled.
 */

/** Which optional detector families are on. Credentials are always on. */
export interface DetectorFlags {
  readonly email: boolean;
  readonly phone: boolean;
  readonly card: boolean;
}

export interface Detector {
  /**
   * The placeholder kind; `keep` leaves the match alone; `key` asks the key-name rules about
   * group `K` and removes the value only for a credential key (otherwise the value is scanned).
   */
  readonly kind: string;
  readonly family: 'always' | 'email' | 'phone' | 'card';
  readonly source: string;
  /** A second check on the secret; when it fails the match is left as it was. */
  readonly validate?: (secret: string) => boolean;
}

/** A case-insensitive literal without the `i` flag (which would loosen every other detector). */
function ci(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

/** A placeholder this package wrote; matching it first is what makes redaction idempotent. */
export const PLACEHOLDER_SOURCE = String.raw`\[REDACTED:[a-z0-9_]+(?:#[0-9a-f]{16})?\]`;

const NOT_PLACEHOLDER = String.raw`(?!\[REDACTED:)`;
/**
 * A value that would swallow the start of a private-key block (whose lines hold spaces, so the
 * value would stop part-way) is left to the private-key detector, which takes the block whole.
 */
const noKeyBlock = (chars: string): string => `(?!${chars}*-----BEGIN)`;
const VALUE_CHAR = String.raw`[^\s"'&,;\\]`;
const BEARER_CHAR = '[A-Za-z0-9._~+/=-]';

const ASSIGNMENT_KEY_SOURCE = `(?:${[
  ...['password', 'passwd', 'passphrase', 'secret', 'authorization', 'credential', 'cookie'].map(
    ci,
  ),
  `${ci('api')}[_-]?${ci('key')}`,
  `${ci('access')}[_-]?${ci('key')}`,
  `${ci('private')}[_-]?${ci('key')}`,
  `${ci('session')}[_-]?${ci('id')}`,
].join('|')})`;
const AUTH_SCHEME = `(?:${ci('bearer')}|${ci('basic')}|${ci('token')}|${ci('digest')})`;

function luhn(digits: string): boolean {
  const only = digits.replace(/\D/g, '');
  if (only.length < 13 || only.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < only.length; i++) {
    let d = only.charCodeAt(only.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isBasicCredential(secret: string): boolean {
  // `Basic` is also an English word: only a base64 `user:password` pair counts.
  return Buffer.from(secret, 'base64').toString('latin1').includes(':');
}

/** In priority order: when two detectors match at the same position, the earlier one wins. */
export const DETECTORS: readonly Detector[] = [
  { kind: 'keep', family: 'always', source: PLACEHOLDER_SOURCE },
  {
    kind: 'private_key',
    family: 'always',
    // PEM (`RSA`, `EC`, `OPENSSH`, `ENCRYPTED`, …) and OpenPGP armour (`PGP PRIVATE KEY BLOCK`).
    // An unterminated block (a truncated log) is removed to the end of the string.
    source: String.raw`-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)`,
  },
  {
    kind: 'url_password',
    family: 'always',
    source: String.raw`(?<P>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@"'<>]+:)${NOT_PLACEHOLDER}(?<S>[^\s@/"'<>]+)(?<X>@)`,
  },
  {
    kind: 'aws_secret_key',
    family: 'always',
    // Bounded name parts (`aws_secret_access_key` needs 11): unbounded ones made a run of
    // "aws_secret" words cost cubic time, seconds for a few kilobytes.
    source: String.raw`(?<P>${ci('aws')}[A-Za-z_]{0,32}${ci('secret')}[A-Za-z_]{0,32}\\?["']?\s*[:=]\s*\\?["']?)(?<S>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`,
  },
  {
    // `password=…`, `"api_key": "…"`, `Authorization: Bearer …`: a credential-named key and its
    // value. The key must start a word, so each word is tried once, and the key's tail after the
    // credential word is bounded: an unbounded one was rescanned for every repeat of the word in
    // a long one ("secretsecret…:"), quadratic time.
    kind: 'key',
    family: 'always',
    source: String.raw`(?<P>(?<K>(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9_.-]*${ASSIGNMENT_KEY_SOURCE}[A-Za-z0-9_-]{0,64}|[A-Za-z0-9_.-]*${ci('token')}))\\?["']?\s*[:=]\s*)(?<S>"${NOT_PLACEHOLDER}${noKeyBlock('[^"\\n]')}[^"\n]*"|'${NOT_PLACEHOLDER}${noKeyBlock("[^'\\n]")}[^'\n]*'|\\"${NOT_PLACEHOLDER}(?:[^"\\\n]|\\[^"])*\\"|(?:${AUTH_SCHEME}\s+)?${NOT_PLACEHOLDER}(?!${AUTH_SCHEME}\s)${noKeyBlock(VALUE_CHAR)}${VALUE_CHAR}+)`,
  },
  {
    kind: 'bearer',
    family: 'always',
    source: String.raw`(?<P>${ci('bearer')}\s+)${NOT_PLACEHOLDER}${noKeyBlock(BEARER_CHAR)}(?<S>${BEARER_CHAR}{8,})`,
  },
  {
    kind: 'basic_auth',
    family: 'always',
    source: String.raw`(?<P>${ci('basic')}\s+)(?<S>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])`,
    validate: isBasicCredential,
  },
  {
    kind: 'jwt',
    family: 'always',
    // Only where a token can start: tried inside a long base64url word, every "eyJ" in it would
    // rescan the word (quadratic time).
    source: String.raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`,
  },
  { kind: 'anthropic_key', family: 'always', source: String.raw`sk-ant-[A-Za-z0-9_-]{16,}` },
  {
    kind: 'openai_key',
    family: 'always',
    source: String.raw`sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|(?<![A-Za-z0-9])sk-[A-Za-z0-9]{32,}`,
  },
  {
    kind: 'aws_access_key',
    family: 'always',
    source: String.raw`(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])`,
  },
  {
    kind: 'github_token',
    family: 'always',
    source: String.raw`gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}`,
  },
  { kind: 'google_api_key', family: 'always', source: String.raw`AIza[0-9A-Za-z_-]{35}` },
  { kind: 'slack_token', family: 'always', source: String.raw`xox[abposr]-[A-Za-z0-9-]{10,}` },
  {
    kind: 'stripe_key',
    family: 'always',
    source: String.raw`(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}`,
  },
  {
    kind: 'email',
    family: 'email',
    source: String.raw`(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`,
  },
  {
    kind: 'phone',
    family: 'phone',
    // Not part of a longer digit group (a card number, an id with separators).
    source: String.raw`(?<![\w+.]|\d[ -])(?:\+\d{8,15}(?!\d)|(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,5}(?![\w.]|[ -]\d))`,
  },
  {
    kind: 'card_number',
    family: 'card',
    source: String.raw`(?<![\d])(?:\d[ -]?){12,18}\d(?!\d)`,
    validate: luhn,
  },
];

export interface CompiledDetectors {
  readonly regex: RegExp;
  /**
   * A cheap test that every string some active detector could match passes: each detector
   * needs one of these characters or literals. Most strings fail it and skip the full scan.
   */
  readonly prefilter: RegExp;
  /** The detectors in the expression, indexed as their groups are named (`d0`, `d1`, …). */
  readonly detectors: readonly Detector[];
}

/** Assembles one global expression from the detectors the flags turn on. */
export function compileDetectors(flags: DetectorFlags): CompiledDetectors {
  const active = DETECTORS.filter(
    (d) =>
      d.family === 'always' ||
      (d.family === 'email' && flags.email) ||
      (d.family === 'phone' && flags.phone) ||
      (d.family === 'card' && flags.card),
  );
  const parts = active.map((d, i) => {
    const renamed = d.source.replace(/\(\?<([PSXK])>/g, (_, g: string) => `(?<${g}${i}>`);
    return `(?<d${i}>${renamed})`;
  });
  const triggers = [
    '[:=@]',
    'sk-',
    '-----BEGIN',
    'eyJ',
    'A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA|Iza)',
    'gh[pousr]_',
    'github_pat_',
    ci('bearer'),
    ci('basic'),
    'xox',
    '_(?:live|test)_',
  ];
  if (flags.phone || flags.card) triggers.push('\\d');
  return {
    regex: new RegExp(parts.join('|'), 'g'),
    prefilter: new RegExp(triggers.join('|')),
    detectors: active,
  };
}
