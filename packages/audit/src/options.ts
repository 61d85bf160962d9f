import { createPublicKey } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { compileRedactor, RedactError, type RedactionOptions, type Redactor } from '@trace/redact';
import {
  type Checkpoint,
  hmacKeyId,
  type KeyInput,
  loadPrivateKey,
  signerId,
} from './checkpoint.js';
import { AuditError } from './errors.js';
import { DEFAULT_SUBJECT_WHITELIST } from './vocabulary.js';

/**
 * When the writer calls fsync. `entry`: before an append resolves (concurrent appends share one
 * fsync). `interval`: every `fsyncIntervalMs`, so a crash loses at most that window. `none`: the
 * operating system decides. Rotation, checkpoints, `flush()` and `close()` always fsync.
 */
export type AuditDurability = 'none' | 'interval' | 'entry';

/** Options for {@link openAuditLog}. */
export interface AuditLogOptions {
  /** The clock for entry timestamps (Date or epoch ms). Inject a recorded clock to reproduce a run. Default `Date.now`. */
  readonly now?: () => Date | number;
  /** HMAC-SHA-256 key: without it nobody can forge a consistent chain; verifiers then need it too. */
  readonly key?: string | Uint8Array;
  /** Ed25519 private key that signs checkpoints (see {@link generateCheckpointKeys}). Without it no checkpoints are written and completeness cannot be proven. */
  readonly signingKey?: KeyInput;
  /** The log's name, recorded in every checkpoint. Default: the directory's absolute path. */
  readonly origin?: string;
  /** Default `entry`. */
  readonly durability?: AuditDurability;
  /** For `durability: 'interval'`; default 1000. */
  readonly fsyncIntervalMs?: number;
  /** `throw` (default): a failed append rejects with an AuditError. `warn`: it resolves `false` and calls `warn`. */
  readonly onError?: 'throw' | 'warn';
  /** Receives warnings: failed appends in `warn` mode, listeners that threw. Default `process.emitWarning`. */
  readonly warn?: (message: string, error: AuditError) => void;
  /** How long to wait for another writer to release the directory before AUDIT_LOCKED. Default 0. */
  readonly lockTimeoutMs?: number;
  /**
   * Redact payloads before they are hashed and written, with the shared engine of @trace/redact:
   * credential-shaped values and values under credential-named members become `[REDACTED:kind]`.
   * `true` (the default) uses its default rules; an object passes options to it (`pii`, `keys`,
   * `paths`, `hashKey`, …); `false` turns redaction off.
   */
  readonly redact?: boolean | RedactionOptions;
  /** Decision subject members listeners may see. Default: id, kind, type, name, version, title, status. */
  readonly subjectWhitelist?: readonly string[];
  /** Largest canonical payload accepted, in characters. Default 1 MiB. */
  readonly maxPayloadChars?: number;
  /** Called with every checkpoint written, to ship it somewhere the log's host cannot rewrite. */
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void;
  /**
   * Also sign a checkpoint (reason `periodic`) as soon as this many entries follow the last one,
   * so a crash or a forger leaves at most this many entries unproven. Needs `signingKey`.
   */
  readonly checkpointEveryEntries?: number;
  /**
   * Also sign a checkpoint (reason `periodic`) this often while entries were added since the last
   * one, bounding the unproven window in time. The timer does not keep the process alive. Needs
   * `signingKey`.
   */
  readonly checkpointIntervalMs?: number;
}

/** The longest delay `setInterval` honours (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options checked and defaulted, as the writer uses them. */
export type Config = ReturnType<typeof readOptions>;

/** Checks every option, refusing bad ones with AUDIT_INVALID_OPTIONS, and fills in defaults. */
export function readOptions(dir: string, options: AuditLogOptions) {
  if (typeof dir !== 'string' || dir.length === 0)
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'dir must be a non-empty path to the log directory.',
    );
  const durability = options.durability ?? 'entry';
  if (!['none', 'interval', 'entry'].includes(durability)) {
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `durability must be 'none', 'interval' or 'entry'; got ${String(durability)}.`,
    );
  }
  const fsyncIntervalMs = options.fsyncIntervalMs ?? 1000;
  if (!Number.isFinite(fsyncIntervalMs) || fsyncIntervalMs <= 0)
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'fsyncIntervalMs must be a positive number of milliseconds.',
    );
  const lockTimeoutMs = options.lockTimeoutMs ?? 0;
  if (!Number.isFinite(lockTimeoutMs) || lockTimeoutMs < 0)
    throw new AuditError('AUDIT_INVALID_OPTIONS', 'lockTimeoutMs must be 0 or more milliseconds.');
  const onError = options.onError ?? 'throw';
  if (onError !== 'throw' && onError !== 'warn')
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `onError must be 'throw' or 'warn'; got ${String(onError)}.`,
    );
  let key: Buffer | undefined;
  if (options.key !== undefined) {
    key =
      typeof options.key === 'string' ? Buffer.from(options.key, 'utf8') : Buffer.from(options.key);
    if (key.length < 16)
      throw new AuditError(
        'AUDIT_INVALID_OPTIONS',
        'key must be at least 16 bytes; use 32 random bytes.',
      );
  }
  // Checked here, not where they are first used: a bad clock would otherwise fail every append
  // with a raw TypeError, and a non-string origin would be signed into a checkpoint that makes
  // the log impossible to reopen.
  for (const name of ['now', 'warn', 'onCheckpoint'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      throw new AuditError('AUDIT_INVALID_OPTIONS', `${name} must be a function.`);
  }
  if (options.origin !== undefined && (typeof options.origin !== 'string' || options.origin === ''))
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'origin must be a non-empty string naming the log.',
    );
  const redactor = compileRedaction(options.redact);
  if (
    options.maxPayloadChars !== undefined &&
    (!Number.isSafeInteger(options.maxPayloadChars) || options.maxPayloadChars < 1)
  )
    throw new AuditError('AUDIT_INVALID_OPTIONS', 'maxPayloadChars must be a positive integer.');
  if (
    options.subjectWhitelist !== undefined &&
    (!Array.isArray(options.subjectWhitelist) ||
      !options.subjectWhitelist.every((name) => typeof name === 'string'))
  )
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'subjectWhitelist must be an array of member names.',
    );
  const signingKey =
    options.signingKey === undefined ? undefined : loadPrivateKey(options.signingKey);
  const { checkpointEveryEntries, checkpointIntervalMs } = options;
  if (
    checkpointEveryEntries !== undefined &&
    (!Number.isSafeInteger(checkpointEveryEntries) || checkpointEveryEntries < 1)
  )
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'checkpointEveryEntries must be a positive whole number of entries.',
    );
  if (
    checkpointIntervalMs !== undefined &&
    (typeof checkpointIntervalMs !== 'number' ||
      !(checkpointIntervalMs > 0 && checkpointIntervalMs <= MAX_TIMER_MS))
  )
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `checkpointIntervalMs must be a number of milliseconds above 0 and at most ${MAX_TIMER_MS}.`,
    );
  if (!signingKey && (checkpointEveryEntries !== undefined || checkpointIntervalMs !== undefined))
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `${checkpointEveryEntries !== undefined ? 'checkpointEveryEntries' : 'checkpointIntervalMs'} needs a signingKey: checkpoints are signed (see generateCheckpointKeys()).`,
    );
  return {
    now: options.now ?? Date.now,
    key,
    keyId: key ? hmacKeyId(key) : null,
    signingKey,
    signer: signingKey ? signerId(createPublicKey(signingKey)) : '',
    origin: options.origin ?? resolvePath(dir),
    durability,
    fsyncIntervalMs,
    onError,
    warn:
      options.warn ?? ((message: string) => process.emitWarning(message, { code: 'TRACE_AUDIT' })),
    lockTimeoutMs,
    redactor,
    subjectWhitelist: options.subjectWhitelist ?? DEFAULT_SUBJECT_WHITELIST,
    maxPayloadChars: options.maxPayloadChars ?? 1024 * 1024,
    onCheckpoint: options.onCheckpoint,
    checkpointEveryEntries,
    checkpointIntervalMs,
  };
}

/** The redactor of a log, compiled once; undefined when redaction is off. */
function compileRedaction(redact: AuditLogOptions['redact']): Redactor | undefined {
  if (redact === false) return undefined;
  if (redact !== undefined && redact !== true && (typeof redact !== 'object' || redact === null)) {
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      'redact must be true, false, or an object of @trace/redact options.',
    );
  }
  try {
    return compileRedactor(typeof redact === 'object' ? redact : {});
  } catch (error) {
    if (!RedactError.isInstance(error)) throw error;
    throw new AuditError('AUDIT_INVALID_OPTIONS', `redact: ${error.message}`, { cause: error });
  }
}
