import { TraceError } from '@trace/spec';

/** The stable codes of {@link ExportError}. */
export const ExportErrorCode = {
  /** A trace draft is missing a field or has one of the wrong type. */
  INVALID_TRACE: 'EXPORT_INVALID_TRACE',
  /** An option is out of range or of the wrong type. */
  INVALID_OPTIONS: 'EXPORT_INVALID_OPTIONS',
  /** An audit entry or tape is not in a shape this package reads. */
  INVALID_SOURCE: 'EXPORT_INVALID_SOURCE',
  /** An envelope or JSONL stream is not an action-trace export. */
  NOT_AN_EXPORT: 'EXPORT_NOT_AN_EXPORT',
  /** An envelope or JSONL stream was written by a newer contract version. */
  VERSION_UNSUPPORTED: 'EXPORT_VERSION_UNSUPPORTED',
  /** The OTLP endpoint answered with a status that is not retried, or kept failing. */
  OTLP_REJECTED: 'EXPORT_OTLP_REJECTED',
  /** The JSONL destination failed or closed before the export was written. */
  WRITE_FAILED: 'EXPORT_WRITE_FAILED',
  /** The OTLP endpoint could not be reached or did not answer in time. */
  OTLP_UNREACHABLE: 'EXPORT_OTLP_UNREACHABLE',
  /** A trace's time lies outside what OTLP can carry: 1970-01-01 to 2554-07-21 (UTC). */
  OTLP_TIME_RANGE: 'EXPORT_OTLP_TIME_RANGE',
} as const;
export type ExportErrorCode = (typeof ExportErrorCode)[keyof typeof ExportErrorCode];

/** Every error `@trace/export` throws on purpose; `code` says which. See the README for the codes. */
export class ExportError extends TraceError<ExportErrorCode> {
  static override readonly brand = Symbol.for('@trace/export.ExportError');
}
