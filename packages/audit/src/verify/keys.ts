import type { KeyObject } from 'node:crypto';
import { hmacKeyId, type KeyInput, loadPublicKey, signerId } from '../checkpoint.js';
import type { IntegrityProblemKind } from './report.js';

/** The keys a verifier was given, loaded once. */
export interface VerifyKeys {
  /** The HMAC key entries are checked under, or undefined for plain SHA-256. */
  readonly hmac: Buffer | undefined;
  /** Its fingerprint, as checkpoints record it; null without a key. */
  readonly keyId: string | null;
  /** Checkpoint signing keys by signer fingerprint; undefined when none was given. */
  readonly publicKeys: Map<string, KeyObject> | undefined;
}

/** Loads the HMAC key and the public keys (refusing unreadable ones with AUDIT_INVALID_OPTIONS). */
export function loadVerifyKeys(options: {
  readonly key?: string | Uint8Array;
  readonly publicKey?: KeyInput | readonly KeyInput[];
}): VerifyKeys {
  const hmac =
    options.key === undefined
      ? undefined
      : typeof options.key === 'string'
        ? Buffer.from(options.key, 'utf8')
        : Buffer.from(options.key);
  // Several keys may be given after a signing-key rotation: each checkpoint names its signer.
  const publicKeys =
    options.publicKey === undefined
      ? undefined
      : new Map(
          (Array.isArray(options.publicKey) ? options.publicKey : [options.publicKey]).map(
            (input: KeyInput) => {
              const key = loadPublicKey(input);
              return [signerId(key), key] as const;
            },
          ),
        );
  return { hmac, keyId: hmac ? hmacKeyId(hmac) : null, publicKeys };
}

/** A key problem, in words. */
export interface KeyProblem {
  readonly kind: Extract<IntegrityProblemKind, 'wrong_key' | 'key_required'>;
  readonly message: string;
}

/**
 * Signed checkpoints record the fingerprint of the key the log was written with: a different key
 * (or none, or one for an unkeyed log) is told apart from edited entries before any entry is read.
 */
export function keyAgainstCheckpoints(
  recorded: string | null,
  given: string | null,
): KeyProblem | undefined {
  if (recorded === given) return undefined;
  return {
    kind: recorded !== null && given === null ? 'key_required' : 'wrong_key',
    message:
      recorded === null
        ? 'the log is not keyed, but a key was given: verify without `key`'
        : given === null
          ? `the log is keyed (key id ${recorded}): pass the HMAC key as \`key\``
          : `the log was keyed with key id ${recorded}, not the given key (${given})`,
  };
}

/**
 * Without checkpoints, the key shows in the hashes: a wrong or missing key makes every entry fail,
 * edits make only some fail. So when every one of at least two entries failed, from the very
 * first, the key is to blame, not the entries.
 */
export function keyFromHashes(
  checked: number,
  hashFailures: number,
  keyGiven: boolean,
): KeyProblem | undefined {
  if (checked < 2 || hashFailures !== checked) return undefined;
  return keyGiven
    ? { kind: 'wrong_key', message: 'no entry checks under the given key: it is the wrong key' }
    : {
        kind: 'key_required',
        message: 'no entry checks as plain SHA-256: the log is keyed, pass its HMAC key as `key`',
      };
}
