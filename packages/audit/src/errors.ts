import { TraceError } from '@trace/errors';

/**
 * Every error @trace/audit throws on purpose. `code` is one of {@link AuditErrorCode}; the
 * README lists each code with what to do about it.
 */
export class AuditError extends TraceError {
  static override readonly brand = Symbol.for('@trace/audit.AuditError');
}

/** The stable codes an {@link AuditError} carries. */
export type AuditErrorCode =
  | 'AUDIT_INVALID_OPTIONS'
  | 'AUDIT_INVALID_EVENT'
  | 'AUDIT_LOCKED'
  | 'AUDIT_LOCK_LOST'
  | 'AUDIT_CLOSED'
  | 'AUDIT_WRITE_FAILED'
  | 'AUDIT_READ_FAILED'
  | 'AUDIT_CORRUPT_TAIL'
  | 'AUDIT_CHECKPOINT_AHEAD'
  | 'AUDIT_UNSUPPORTED_VERSION'
  | 'AUDIT_KEY_MISMATCH'
  | 'AUDIT_LISTENER_FAILED';

/** Builds an {@link AuditError}; a helper so codes stay typed at every throw site. */
export function auditError(
  code: AuditErrorCode,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): AuditError {
  return new AuditError(code, message, options);
}
