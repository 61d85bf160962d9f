import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { canonicalJson } from './canonical.js';
import { isIsoUtc } from './entry.js';
import { AuditError } from './errors.js';

/**
 * Why a checkpoint was written: the end of a day file, `close()`, `checkpoint()`, or the writer's
 * `checkpointEveryEntries` / `checkpointIntervalMs` options.
 */
export type CheckpointReason = 'rotation' | 'close' | 'manual' | 'periodic';

/**
 * A signed statement "the log `origin` had `count` entries, the last being `seq` with hash
 * `head`". Stored one canonical JSON line each in `checkpoints.jsonl`; `sig` is Ed25519 over the
 * canonical JSON of the checkpoint without `sig`, and `prev` is the SHA-256 of the previous
 * checkpoint's whole canonical line (64 zeros for the first).
 */
export interface Checkpoint {
  /** Format version, 1. */
  readonly v: number;
  /** The log's name, from the writer's `origin` option. */
  readonly origin: string;
  /** Sequence number of the last entry covered (0 for an empty log). */
  readonly seq: number;
  /** Hash of that entry (64 zeros for an empty log). */
  readonly head: string;
  /** Entries covered: every entry from seq 1 through `seq`. */
  readonly count: number;
  /** The day file holding the entry `seq`, or null for an empty log. */
  readonly file: string | null;
  /** SHA-256 of the previous checkpoint's canonical line, or 64 zeros for the first. */
  readonly prev: string;
  /** When the checkpoint was made, from the writer's clock. */
  readonly ts: string;
  /** Why it was made. */
  readonly reason: CheckpointReason;
  /** Fingerprint of the HMAC key the entries are keyed with (not the key), or null when unkeyed. */
  readonly keyId: string | null;
  /** Fingerprint of the Ed25519 public key that signs: first 16 hex digits of SHA-256 of its SPKI DER. */
  readonly signer: string;
  /** Base64 Ed25519 signature. */
  readonly sig: string;
}

/** An Ed25519 key pair as PEM strings, for {@link openAuditLog}'s `signingKey` and verify's `publicKey`. */
export interface CheckpointKeys {
  /** PKCS#8 PEM; keep it secret, with the writer. */
  readonly privateKey: string;
  /** SPKI PEM; give it to whoever verifies. */
  readonly publicKey: string;
}

/** Generates a fresh Ed25519 key pair for signing checkpoints. */
export function generateCheckpointKeys(): CheckpointKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** A key given as a KeyObject, a PEM string, or PEM bytes. */
export type KeyInput = KeyObject | string | Buffer;

/** Loads an Ed25519 private key, refusing anything else with AUDIT_INVALID_OPTIONS. */
export function loadPrivateKey(input: KeyInput): KeyObject {
  let key: KeyObject;
  try {
    key = input instanceof KeyObject ? input : createPrivateKey(input);
  } catch (error) {
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'signingKey is not a readable private key: pass an Ed25519 PKCS#8 PEM (see generateCheckpointKeys()).',
      { cause: error },
    );
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'signingKey must be an Ed25519 private key (see generateCheckpointKeys()).',
      {
        details: { type: key.type, algorithm: key.asymmetricKeyType ?? null },
      },
    );
  }
  return key;
}

/** Loads an Ed25519 public key (a private key is accepted and its public half used). */
export function loadPublicKey(input: KeyInput): KeyObject {
  let key: KeyObject;
  try {
    key = input instanceof KeyObject ? input : createPublicKey(input);
    if (key.type === 'private') key = createPublicKey(key);
  } catch (error) {
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'publicKey is not a readable public key: pass the Ed25519 SPKI PEM from generateCheckpointKeys().',
      { cause: error },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new AuditError('AUDIT_INVALID_OPTIONS', 'publicKey must be an Ed25519 key.', {
      details: { algorithm: key.asymmetricKeyType ?? null },
    });
  }
  return key;
}

/** The fingerprint recorded as a checkpoint's `signer`. */
export function signerId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The fingerprint of an HMAC key recorded as `keyId`: reveals nothing usable about the key. */
export function hmacKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('@trace/audit key id v1').digest('hex').slice(0, 16);
}

/** Signs a checkpoint body. */
export function signCheckpoint(body: Omit<Checkpoint, 'sig'>, privateKey: KeyObject): Checkpoint {
  const sig = sign(null, Buffer.from(canonicalJson(body)), privateKey).toString('base64');
  return { ...body, sig };
}

/** True when the checkpoint's signature is valid under `publicKey`. */
export function checkCheckpointSignature(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  const { sig, ...body } = checkpoint;
  try {
    return verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** The hash a following checkpoint links to: SHA-256 of this checkpoint's canonical line. */
export function checkpointHash(checkpoint: Checkpoint): string {
  return createHash('sha256').update(canonicalJson(checkpoint)).digest('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;
const REASONS = new Set(['rotation', 'close', 'manual', 'periodic']);

/** Parses one line of checkpoints.jsonl, or says what is wrong with it. */
export function parseCheckpoint(text: string): Checkpoint | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the line is not valid JSON';
  }
  if (typeof value !== 'object' || value === null) return 'the line is not a JSON object';
  const c = value as Record<string, unknown>;
  if (c.v !== 1)
    return typeof c.v === 'number' && c.v > 1
      ? `checkpoint format v${c.v} is newer than this reader`
      : '"v" must be 1';
  if (typeof c.origin !== 'string') return '"origin" must be a string';
  if (!Number.isSafeInteger(c.seq) || (c.seq as number) < 0)
    return '"seq" must be a non-negative integer';
  if (typeof c.head !== 'string' || !HEX64.test(c.head)) return '"head" must be 64 hex digits';
  if (c.count !== c.seq) return '"count" must equal "seq"';
  if (c.file !== null && typeof c.file !== 'string') return '"file" must be a string or null';
  if (typeof c.prev !== 'string' || !HEX64.test(c.prev)) return '"prev" must be 64 hex digits';
  if (typeof c.ts !== 'string' || !isIsoUtc(c.ts)) return '"ts" must be an ISO 8601 UTC time';
  if (typeof c.reason !== 'string' || !REASONS.has(c.reason))
    return '"reason" must be rotation, close, manual or periodic';
  if (c.keyId !== null && typeof c.keyId !== 'string') return '"keyId" must be a string or null';
  if (typeof c.signer !== 'string') return '"signer" must be a string';
  if (typeof c.sig !== 'string') return '"sig" must be a string';
  return c as unknown as Checkpoint;
}
