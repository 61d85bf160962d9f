/**
 * Fake credentials in every format the redaction engine recognises, built at run time from random
 * characters, so that nothing secret-looking is committed: each prefix is assembled from pieces
 * (`'sk' + '-ant-'`) that a secret scanner does not flag.
 *
 * A builder takes a source of randomness. Tests pass `seededRandom(seed)` with a seed fast-check
 * draws, so a failing case shrinks and replays; without one, `node:crypto` is used.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';

/** A source of randomness: an integer in `[0, n)`. */
export type RandomInt = (n: number) => number;

/** Randomness from `node:crypto`. */
export const cryptoRandom: RandomInt = (n) => randomInt(n);

/** A small deterministic generator (mulberry32): the same seed gives the same credentials. */
export function seededRandom(seed: number): RandomInt {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const BASE64 = `${ALNUM}+/`;
const BASE64URL = `${ALNUM}_-`;

/** `n` characters drawn from `alphabet`. */
export function randomChars(n: number, alphabet = ALNUM, random: RandomInt = cryptoRandom): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[random(alphabet.length)];
  return out;
}

/** One fake credential, as it is written and as a redactor must write it. */
export interface FakeCredential {
  /** The format's name, one of {@link FAKE_CREDENTIAL_FORMATS}. */
  readonly format: string;
  /** The kind a redactor names it with, as in `[REDACTED:kind]`. */
  readonly kind: string;
  /** The credential as it appears in text, with its context (`Bearer …`, `password=…`). */
  readonly text: string;
  /** `text` redacted: the secret replaced by `[REDACTED:kind]`, the context kept. */
  readonly redacted: string;
  /** The random parts of `text`; none of them may survive redaction. */
  readonly secrets: readonly string[];
}

type Builder = (chars: (n: number, alphabet?: string) => string) => {
  readonly kind: string;
  readonly text: string;
  readonly redacted?: string;
  readonly secrets: readonly string[];
};

const b64url = (text: string): string => Buffer.from(text).toString('base64url');

/** A password: a letter first (so it is never all digits), then letters and digits. */
const password = (chars: (n: number, alphabet?: string) => string): string =>
  `${chars(1, LOWER)}${chars(15)}`;

function jwt(chars: (n: number, alphabet?: string) => string): {
  token: string;
  secrets: string[];
} {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub: chars(12), iat: 1_700_000_000 }));
  const signature = chars(43, BASE64URL);
  return { token: `${header}.${payload}.${signature}`, secrets: [payload, signature] };
}

function pem(label: string, chars: (n: number, alphabet?: string) => string) {
  const lines = [chars(64, BASE64), chars(64, BASE64), chars(20, BASE64)];
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  return { text: `${begin}\n${lines.join('\n')}\n${end}`, secrets: lines };
}

const PRIVATE = 'PRIV' + 'ATE';

const BUILDERS: Readonly<Record<string, Builder>> = {
  anthropic_key: (c) => {
    const body = c(80, BASE64URL);
    return { kind: 'anthropic_key', text: `${'sk'}-ant-api03-${body}`, secrets: [body] };
  },
  openai_project_key: (c) => {
    const body = c(56, BASE64URL);
    return { kind: 'openai_key', text: `${'sk'}-proj-${body}`, secrets: [body] };
  },
  openai_service_account_key: (c) => {
    const body = c(48);
    return { kind: 'openai_key', text: `${'sk'}-svcacct-${body}`, secrets: [body] };
  },
  openai_legacy_key: (c) => {
    const [a, b] = [c(20), c(20)];
    return { kind: 'openai_key', text: `${'sk'}-${a}${'T3Blbk'}FJ${b}`, secrets: [a, b] };
  },
  aws_access_key: (c) => {
    const body = c(16, UPPER_DIGITS);
    return { kind: 'aws_access_key', text: `${'AK'}IA${body}`, secrets: [body] };
  },
  aws_session_key: (c) => {
    const body = c(16, UPPER_DIGITS);
    return { kind: 'aws_access_key', text: `${'AS'}IA${body}`, secrets: [body] };
  },
  aws_secret_key: (c) => {
    const body = c(40, BASE64);
    return {
      kind: 'aws_secret_key',
      text: `aws_${'secret'}_access_key=${body}`,
      redacted: `aws_${'secret'}_access_key=[REDACTED:aws_secret_key]`,
      secrets: [body],
    };
  },
  github_token: (c) => {
    const body = c(36);
    return { kind: 'github_token', text: `${'gh'}p_${body}`, secrets: [body] };
  },
  github_oauth_token: (c) => {
    const body = c(36);
    return { kind: 'github_token', text: `${'gh'}o_${body}`, secrets: [body] };
  },
  github_fine_grained_token: (c) => {
    const [a, b] = [c(22), c(59)];
    return { kind: 'github_token', text: `${'github'}_pat_${a}_${b}`, secrets: [a, b] };
  },
  jwt: (c) => {
    const { token, secrets } = jwt(c);
    return { kind: 'jwt', text: token, secrets };
  },
  jwt_after_dash: (c) => {
    const { token, secrets } = jwt(c);
    return { kind: 'jwt', text: `ref-${token}`, redacted: 'ref-[REDACTED:jwt]', secrets };
  },
  jwt_after_underscore: (c) => {
    const { token, secrets } = jwt(c);
    return {
      kind: 'jwt',
      text: `session_${token}`,
      redacted: 'session_[REDACTED:jwt]',
      secrets,
    };
  },
  private_key_pkcs8: (c) => ({ kind: 'private_key', ...pem(`${PRIVATE} KEY`, c) }),
  private_key_pem: (c) => ({ kind: 'private_key', ...pem(`RSA ${PRIVATE} KEY`, c) }),
  private_key_openssh: (c) => ({ kind: 'private_key', ...pem(`OPENSSH ${PRIVATE} KEY`, c) }),
  private_key_pgp: (c) => ({ kind: 'private_key', ...pem(`PGP ${PRIVATE} KEY BLOCK`, c) }),
  google_api_key: (c) => {
    const body = c(35, BASE64URL);
    return { kind: 'google_api_key', text: `${'AI'}za${body}`, secrets: [body] };
  },
  slack_bot_token: (c) => {
    const [team, bot, body] = [c(11, '0123456789'), c(12, '0123456789'), c(24)];
    return { kind: 'slack_token', text: `${'xo'}xb-${team}-${bot}-${body}`, secrets: [body] };
  },
  slack_app_token: (c) => {
    const [app, body] = [c(10, UPPER_DIGITS), c(64, 'abcdef0123456789')];
    return { kind: 'slack_token', text: `${'xa'}pp-1-A${app}-1234-${body}`, secrets: [body] };
  },
  stripe_secret_key: (c) => {
    const body = c(24);
    return { kind: 'stripe_key', text: `${'sk'}_live_${body}`, secrets: [body] };
  },
  stripe_restricted_key: (c) => {
    const body = c(24);
    return { kind: 'stripe_key', text: `${'rk'}_test_${body}`, secrets: [body] };
  },
  stripe_webhook_secret: (c) => {
    const body = c(32);
    return { kind: 'stripe_webhook_secret', text: `${'wh'}sec_${body}`, secrets: [body] };
  },
  bearer_token: (c) => {
    const body = c(32, BASE64URL);
    return {
      kind: 'bearer',
      text: `Bearer ${body}`,
      redacted: 'Bearer [REDACTED:bearer]',
      secrets: [body],
    };
  },
  basic_auth: (c) => {
    const pass = password(c);
    const encoded = Buffer.from(`app:${pass}`).toString('base64');
    return {
      kind: 'basic_auth',
      text: `Basic ${encoded}`,
      redacted: 'Basic [REDACTED:basic_auth]',
      secrets: [encoded],
    };
  },
  url_password: (c) => {
    const pass = password(c);
    return {
      kind: 'url_password',
      text: `postgres://app:${pass}@db.internal:5432/app`,
      redacted: 'postgres://app:[REDACTED:url_password]@db.internal:5432/app',
      secrets: [pass],
    };
  },
  url_password_without_user: (c) => {
    const pass = password(c);
    return {
      kind: 'url_password',
      text: `redis://:${pass}@cache.internal:6379/0`,
      redacted: 'redis://:[REDACTED:url_password]@cache.internal:6379/0',
      secrets: [pass],
    };
  },
  password_assignment: (c) => {
    const pass = password(c);
    return {
      kind: 'password',
      text: `password=${pass}`,
      redacted: 'password=[REDACTED:password]',
      secrets: [pass],
    };
  },
  connection_string_pwd: (c) => {
    const pass = password(c);
    return {
      kind: 'password',
      text: `Server=db;Uid=app;Pwd=${pass};`,
      redacted: 'Server=db;Uid=app;Pwd=[REDACTED:password];',
      secrets: [pass],
    };
  },
  json_api_key: (c) => {
    const key = c(32);
    return {
      kind: 'api_key',
      text: `"api_key": "${key}"`,
      redacted: '"api_key": "[REDACTED:api_key]"',
      secrets: [key],
    };
  },
  cli_password_option: (c) => {
    const pass = password(c);
    return {
      kind: 'password',
      text: `--password ${pass}`,
      redacted: '--password [REDACTED:password]',
      secrets: [pass],
    };
  },
  mysql_password_option: (c) => {
    const pass = password(c);
    return {
      kind: 'password',
      text: `mysql -u app -p${pass}`,
      redacted: 'mysql -u app -p[REDACTED:password]',
      secrets: [pass],
    };
  },
  curl_user_option: (c) => {
    const pass = password(c);
    return {
      kind: 'password',
      text: `curl -u app:${pass}`,
      redacted: 'curl -u app:[REDACTED:password]',
      secrets: [pass],
    };
  },
};

/** Every format {@link fakeCredential} builds. */
export const FAKE_CREDENTIAL_FORMATS: readonly string[] = Object.freeze(Object.keys(BUILDERS));

/** A fresh fake credential of `format`, drawn from `random`. */
export function fakeCredential(format: string, random: RandomInt = cryptoRandom): FakeCredential {
  const build = BUILDERS[format];
  if (build === undefined) {
    throw new Error(
      `Unknown fake credential format "${format}": use one of ${FAKE_CREDENTIAL_FORMATS.join(', ')}.`,
    );
  }
  const built = build((n, alphabet) => randomChars(n, alphabet, random));
  return {
    format,
    kind: built.kind,
    text: built.text,
    redacted: built.redacted ?? `[REDACTED:${built.kind}]`,
    secrets: built.secrets,
  };
}

/** One fresh fake credential of every format. */
export function fakeCredentials(random: RandomInt = cryptoRandom): FakeCredential[] {
  return FAKE_CREDENTIAL_FORMATS.map((format) => fakeCredential(format, random));
}

/** A fast-check arbitrary of fresh fake credentials of every format (seeded: it shrinks and replays). */
export function fakeCredentialArb(
  formats: readonly string[] = FAKE_CREDENTIAL_FORMATS,
): fc.Arbitrary<FakeCredential> {
  return fc
    .record({ format: fc.constantFrom(...formats), seed: fc.integer() })
    .map(({ format, seed }) => fakeCredential(format, seededRandom(seed)));
}

/** The first part of `credential` (its text, or one of its secrets) found in `output`. */
export function findLeak(output: string, credential: FakeCredential): string | undefined {
  for (const part of [credential.text, ...credential.secrets]) {
    if (output.includes(part)) return part;
  }
  return undefined;
}
