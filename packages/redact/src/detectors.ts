/**
 * Value detectors: credential formats recognised inside any string, wherever it sits (an argument,
 * an error message, a URL, a header value, a body, a stream). All detectors run as one combined
 * regular expression, so a string is scanned once however many detectors there are, and only when
 * a cheap prefilter finds one of their trigger words.
 *
 * Detectors that keep some context (`Bearer `, `password=`, a URL's user name) mark it with the
 * named groups `P` (kept prefix), `S` (the secret) and `X` (kept suffix); `K` is a key name whose
 * rule names the kind. The groups are renamed per detector when the expression is assembled.
 *
 * Every character class decides on ASCII characters only: whitespace is `[\t\n\v\f\r ]`, never
 * `\s` (which includes U+00A0), and every non-ASCII character is on the same side of each class.
 * So scanning UTF-8 bytes decoded as latin1 (one character per byte) finds the same secrets at the
 * same byte offsets as scanning the decoded text: bodies and streams are scanned that way, without
 * decoding them, and a match never ends inside a multi-byte character.
 */
import { PLACEHOLDER_SOURCE } from './placeholder.js';
import { compilePrefilter } from './prefilter.js';

/** Which optional detector families are on. Credentials are always on. */
export interface DetectorFlags {
  readonly email: boolean;
  readonly phone: boolean;
  readonly card: boolean;
}

export interface Detector {
  /**
   * The placeholder kind; `keep` leaves the match alone; `key` asks the key-name rules about
   * group `K` (falling back to `secret`) for the kind.
   */
  readonly kind: string;
  readonly family: 'always' | 'email' | 'phone' | 'card';
  readonly source: string;
  /**
   * What every match contains, one of: the prefilter looks for these before the full scan. Each
   * starts with a literal character, an escape or a class (`[bB]`); case-insensitive words are
   * written with `ci`. None for the placeholder, which changes nothing.
   */
  readonly triggers: readonly string[];
  /**
   * Every match also holds a `:` or `=` (an assignment): the triggers are only looked for in text
   * that has one, which keeps common words out of the prefilter for prose.
   */
  readonly assignment?: boolean;
  /** A second check on the secret; when it fails the match is left as it was. */
  readonly validate?: (secret: string) => boolean;
}

/** A case-insensitive literal without the `i` flag (which would loosen every other detector). */
function ci(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

/** ASCII whitespace; see the module comment for why not `\s`. */
const WS = '[\\t\\n\\v\\f\\r ]';
const NOT_PLACEHOLDER = String.raw`(?!\[REDACTED:)`;
/**
 * Where a word starts: not after one of `chars`, or right after a `\n`-style escape, as in JSON
 * text shown as text (`"…\neyJ…"`), where the escape's letter would otherwise glue to the word.
 */
const startAfter = (chars: string): string => String.raw`(?:(?<![${chars}])|(?<=\\[nrtbf]))`;
/**
 * A value that would swallow the start of a private-key block (whose lines hold spaces, so the
 * value would stop part-way) is left to the private-key detector, which takes the block whole.
 */
const noKeyBlock = (chars: string): string => `(?!${chars}*-----BEGIN)`;
const VALUE_CHAR = String.raw`[^\t\n\v\f\r "'&,;\\]`;
const BEARER_CHAR = '[A-Za-z0-9._~+/=-]';
/** A command-line argument: not an option, not shell syntax. */
const ARGUMENT = String.raw`(?:"[^"\n]*"|'[^'\n]*'|[^\t\n\v\f\r "'\\;&|<>()-][^\t\n\v\f\r "'\\;&|<>()]*)`;

const ASSIGNMENT_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'authorization',
  'credential',
  'cookie',
  'api[_-]?key',
  'access[_-]?key',
  'private[_-]?key',
  'session[_-]?id',
  'connection[_-]?string',
];
const ASSIGNMENT_KEY_SOURCE = `(?:${ASSIGNMENT_WORDS.map(ci).join('|')})`;
/**
 * Short credential keys, taken only as whole keys (`pwd=`, `"pass": …`, `auth: …`, `DSN=…`):
 * inside longer words they are ordinary (`bypass`, `author`), so no prefix or suffix is allowed.
 * The key-name rules name their kinds (`password`, `authorization`, `dsn`).
 */
const SHORT_KEYS = ['pwd', 'pass', 'auth', 'dsn'];
const SHORT_KEY_SOURCE = `(?:${SHORT_KEYS.map(ci).join('|')})`;
/**
 * Quoted values. One that holds a placeholder was redacted already (a private key inside it was
 * taken by its own detector), so it is left alone: that keeps redaction idempotent.
 */
const DOUBLE_QUOTED = String.raw`"(?![^"\n]*\[REDACTED:)${noKeyBlock('[^"\\n]')}[^"\n]*"`;
const SINGLE_QUOTED = String.raw`'(?![^'\n]*\[REDACTED:)${noKeyBlock("[^'\\n]")}[^'\n]*'`;
/** A value in escaped quotes, as JSON inside a string writes it: `\"…\"`, `\\\"…\\\"`. */
const ESCAPE_QUOTED = String.raw`\\+"(?!(?:[^"\\\n]|\\[^"])*\[REDACTED:)(?:[^"\\\n]|\\[^"])*\\+"`;
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

/** A character of the user name in `curl -u user:password`. */
const CURL_USER = String.raw`[^\t\n\v\f\r "':\\[\]]`;

/** `-u 1000:1000` (a user and group id) is not a credential. */
const notOnlyDigits = (secret: string): boolean => /\D/.test(secret);

/** In priority order: when two detectors match at the same position, the earlier one wins. */
export const DETECTORS: readonly Detector[] = [
  { kind: 'keep', family: 'always', source: PLACEHOLDER_SOURCE, triggers: [] },
  {
    kind: 'private_key',
    family: 'always',
    // PEM (`RSA`, `EC`, `OPENSSH`, `ENCRYPTED`, …) and OpenPGP armour (`PGP PRIVATE KEY BLOCK`).
    // An unterminated block (a truncated log) is removed to the end of the string.
    source: String.raw`-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)`,
    triggers: ['-----BEGIN'],
  },
  {
    kind: 'url_password',
    family: 'always',
    // The user name may be empty: `redis://:PASSWORD@host` is how Redis URLs carry a password. It
    // holds no `[`, so a placeholder standing for a whole user info is not taken for one.
    source: String.raw`(?<P>${startAfter('A-Za-z0-9+.-')}[A-Za-z][A-Za-z0-9+.-]*://[^\t\n\v\f\r :/@"'<>[\]]*:)${NOT_PLACEHOLDER}(?<S>[^\t\n\v\f\r @/"'<>]+)(?<X>@)`,
    triggers: ['://'],
  },
  {
    kind: 'aws_secret_key',
    family: 'always',
    // Bounded name parts (`aws_secret_access_key` needs 11): unbounded ones made a run of
    // "aws_secret" words cost cubic time, seconds for a few kilobytes.
    source: String.raw`(?<P>${ci('aws')}[A-Za-z_]{0,32}${ci('secret')}[A-Za-z_]{0,32}\\?["']?${WS}*[:=]${WS}*\\?["']?)(?<S>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`,
    triggers: [ci('secret')],
    assignment: true,
  },
  {
    // `password=…`, `"api_key": "…"`, `Authorization: Bearer …`, `Pwd=…;`: a credential-named key
    // and its value. The key must start a word, so each word is tried once, and the key's tail
    // after the credential word is bounded: an unbounded one was rescanned for every repeat of
    // the word in a long one ("secretsecret…:"), quadratic time.
    kind: 'key',
    family: 'always',
    source: String.raw`(?<P>(?<K>${startAfter('A-Za-z0-9_.-')}(?:[A-Za-z0-9_.-]*${ASSIGNMENT_KEY_SOURCE}[A-Za-z0-9_-]{0,64}|[A-Za-z0-9_.-]*${ci('token')}|${SHORT_KEY_SOURCE}))\\*["']?${WS}*[:=]${WS}*)(?<S>${DOUBLE_QUOTED}|${SINGLE_QUOTED}|${ESCAPE_QUOTED}|(?:${AUTH_SCHEME}${WS}+)?${NOT_PLACEHOLDER}(?!${AUTH_SCHEME}${WS})${noKeyBlock(VALUE_CHAR)}${VALUE_CHAR}+)`,
    triggers: [
      ...ASSIGNMENT_WORDS.map(ci),
      `${ci('token')}\\\\*["']?${WS}*[:=]`,
      // A short key is a trigger only right before its `:` or `=`: `author`, `bypass` and
      // `pwdump` stay out of the full scan.
      ...SHORT_KEYS.map((k) => `${ci(k)}\\\\*["']?${WS}*[:=]`),
    ],
    assignment: true,
  },
  {
    // `--password x`, `--client-secret x`, `-storepass x`: a credential option and its argument
    // (`--password=x` is an assignment, above). The option's words are joined by `-`, so each
    // option is split one way only.
    kind: 'key',
    family: 'always',
    source: `(?<P>${startAfter('A-Za-z0-9_-')}--?(?<K>(?:[A-Za-z0-9]+-)*(?:[A-Za-z0-9]*(?:password|passwd|passphrase|secret|storepass|keypass)|pass|pwd|token|api-?key|access-?key))${WS}+)${NOT_PLACEHOLDER}(?<S>${ARGUMENT})`,
    // The option's last word, then a space.
    triggers: ['pass', 'word', 'wd', 'phrase', 'secret', 'token', 'key'].map((w) => `${w}${WS}`),
  },
  {
    // MySQL and MariaDB clients take the password glued to `-p` (`mysql -u app -pPASS db`);
    // elsewhere `-p` means many things, so only their command lines count.
    kind: 'password',
    family: 'always',
    source: String.raw`(?<P>${startAfter('A-Za-z0-9_-')}m(?:ysql(?:dump|admin|import|show|check|pump)?|ariadb(?:-dump|-admin)?)(?:[ \t]+[^\t\n\v\f\r |;&]+){0,16}?[ \t]+-p)${NOT_PLACEHOLDER}(?<S>${ARGUMENT})`,
    // Every match names the client, so its name is the trigger: `-p` alone fires on any
    // hyphenated word ("travel-planning") and sends clean text to the full scan.
    triggers: ['m(?:ysql|ariadb)'],
  },
  {
    // `curl -u user:password`, `--user=user:password`.
    kind: 'password',
    family: 'always',
    source: String.raw`(?<P>${startAfter('A-Za-z0-9_-')}(?:-u|--user)(?:[ \t]+|=)?${CURL_USER}+:)${NOT_PLACEHOLDER}(?<S>[^\t\n\v\f\r "'@\\]+)`,
    triggers: [`-u[ \\t=]*${CURL_USER}+:`, '--user'],
    validate: notOnlyDigits,
  },
  {
    kind: 'bearer',
    family: 'always',
    source: `(?<P>${ci('bearer')}${WS}+)${NOT_PLACEHOLDER}${noKeyBlock(BEARER_CHAR)}(?<S>${BEARER_CHAR}{8,})`,
    triggers: [ci('bearer')],
  },
  {
    kind: 'basic_auth',
    family: 'always',
    source: `(?<P>${ci('basic')}${WS}+)(?<S>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])`,
    triggers: [ci('basic')],
    validate: isBasicCredential,
  },
  {
    kind: 'jwt',
    family: 'always',
    // Where a token can start: tried inside a long base64url word, every "eyJ" in it would rescan
    // the word (quadratic time). A token glued to a `-` or `_` (`ref-eyJ…`, `session_eyJ…`) is
    // found too; its header must then hold no `-` or `_`, so a crafted "-eyJa-eyJa…" word costs
    // one step per "eyJ". (A JWT header is base64url of JSON, which has them only for `>`, `?`
    // or `~` at some positions, or non-ASCII text.)
    source: String.raw`(?:${startAfter('A-Za-z0-9_-')}eyJ[A-Za-z0-9_-]{4,}|(?<=[-_])eyJ[A-Za-z0-9]{4,})\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`,
    triggers: ['eyJ'],
  },
  {
    kind: 'anthropic_key',
    family: 'always',
    source: `sk-ant-[A-Za-z0-9_-]{16,}`,
    triggers: ['sk-'],
  },
  {
    kind: 'openai_key',
    family: 'always',
    source: `sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|${startAfter('A-Za-z0-9')}sk-[A-Za-z0-9]{32,}`,
    triggers: ['sk-'],
  },
  {
    kind: 'aws_access_key',
    family: 'always',
    source: `(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])`,
    triggers: ['A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)'],
  },
  {
    kind: 'github_token',
    family: 'always',
    source: `gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}`,
    triggers: ['gh[pousr]_', 'github_pat_'],
  },
  {
    kind: 'google_api_key',
    family: 'always',
    source: `AIza[0-9A-Za-z_-]{35}`,
    triggers: ['AIza'],
  },
  {
    kind: 'slack_token',
    family: 'always',
    // Bot, user, refresh and legacy tokens (`xox?-`), and app-level tokens (`xapp-`).
    source: `xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}`,
    triggers: ['xox', 'xapp-'],
  },
  {
    kind: 'stripe_key',
    family: 'always',
    source: `(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}`,
    triggers: ['_(?:live|test)_'],
  },
  {
    kind: 'stripe_webhook_secret',
    family: 'always',
    source: `whsec_[A-Za-z0-9]{24,}`,
    triggers: ['whsec_'],
  },
  {
    kind: 'email',
    family: 'email',
    source: String.raw`(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`,
    triggers: ['@'],
  },
  {
    kind: 'phone',
    family: 'phone',
    // Not part of a longer digit group (a card number, an id with separators).
    source: String.raw`(?:(?<![\w+.]|\d[ -])|(?<=\\[nrtbf]))(?:\+\d{8,15}(?!\d)|(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,5}(?![\w.]|[ -]\d))`,
    triggers: ['\\d'],
  },
  {
    kind: 'card_number',
    family: 'card',
    source: String.raw`(?<![\d])(?:\d[ -]?){12,18}\d(?!\d)`,
    triggers: ['\\d'],
    validate: luhn,
  },
];

export interface CompiledDetectors {
  readonly regex: RegExp;
  /**
   * A cheap test that every string some active detector could match passes: it looks for each
   * detector's trigger. Most strings fail it and skip the full scan.
   */
  readonly mayMatch: (text: string) => boolean;
  /** The detectors in the expression, indexed as their groups are named (`d0`, `d1`, …). */
  readonly detectors: readonly Detector[];
}

const ASSIGNS = /[:=]/;

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
  const triggersOf = (assignment: boolean) => [
    ...new Set(
      active.filter((d) => (d.assignment === true) === assignment).flatMap((d) => d.triggers),
    ),
  ];
  const anywhere = compilePrefilter(triggersOf(false));
  const assigned = compilePrefilter(triggersOf(true));
  // Two small expressions run faster than one large one; the second only where it can match.
  const mayMatch = (text: string): boolean =>
    anywhere.test(text) || (ASSIGNS.test(text) && assigned.test(text));
  return {
    regex: new RegExp(parts.join('|'), 'g'),
    mayMatch,
    detectors: active,
  };
}
