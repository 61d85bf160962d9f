import { TraceError } from '@trace/spec';

/** The stable codes an {@link AuditError} carries; the README says what to do about each. */
export const AuditErrorCode = {
  /** A bad option, key, clock value or argument. */
  INVALID_OPTIONS: 'AUDIT_INVALID_OPTIONS',
  /** An event breaks the vocabulary or is not plain JSON. */
  INVALID_EVENT: 'AUDIT_INVALID_EVENT',
  /** Another live writer holds the directory. */
  LOCKED: 'AUDIT_LOCKED',
  /** This writer's lock file was removed or replaced. */
  LOCK_LOST: 'AUDIT_LOCK_LOST',
  /** Append or checkpoint after `close()`. */
  CLOSED: 'AUDIT_CLOSED',
  /** The file system refused a write, fsync or open; the entry is not in the log. */
  WRITE_FAILED: 'AUDIT_WRITE_FAILED',
  /** A log file cannot be read or is not an audit file. */
  READ_FAILED: 'AUDIT_READ_FAILED',
  /** The newest entry (or checkpoint) is unreadable, or a torn line sits before the last file. */
  CORRUPT_TAIL: 'AUDIT_CORRUPT_TAIL',
  /** The log ends before (or differs at) its latest checkpoint: appending would fork the chain. */
  CHECKPOINT_AHEAD: 'AUDIT_CHECKPOINT_AHEAD',
  /** An entry of a newer format version. */
  UNSUPPORTED_VERSION: 'AUDIT_UNSUPPORTED_VERSION',
  /** The log is opened with a different (or no) HMAC key than it was written with. */
  KEY_MISMATCH: 'AUDIT_KEY_MISMATCH',
  /** Passed to `warn` (never thrown) when a listener throws or rejects. */
  LISTENER_FAILED: 'AUDIT_LISTENER_FAILED',
} as const;
export type AuditErrorCode = (typeof AuditErrorCode)[keyof typeof AuditErrorCode];

/** Every error @trace/audit throws on purpose. */
export class AuditError extends TraceError<AuditErrorCode> {
  static override readonly brand = Symbol.for('@trace/audit.AuditError');
}

/** A file-system failure while writing, as AUDIT_WRITE_FAILED (an AuditError passes through). */
export function writeFailed(error: unknown, what: string): AuditError {
  if (AuditError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new AuditError(
    'AUDIT_WRITE_FAILED',
    `Audit log write failed (${what}${code ? `: ${code}` : ''}): the entry is NOT in the log. Check disk space and permissions, then retry.`,
    { cause: error },
  );
}
