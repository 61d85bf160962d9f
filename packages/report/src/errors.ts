import { TraceError } from '@trace/spec';

/** Every stable error code @trace/report throws. Documented in the README; never reworded. */
export const ReportErrorCode = {
  /** An option is missing or has a value that is not allowed (the message names it). */
  INVALID_OPTION: 'REPORT_INVALID_OPTION',
  /** The store holds no run under the id asked for. */
  NO_RUN: 'REPORT_NO_RUN',
  /** The blame result given (or stored beside the run) is not of the shape @trace/blame writes. */
  INVALID_BLAME: 'REPORT_INVALID_BLAME',
  /** The audit log given cannot be read. */
  AUDIT_UNREADABLE: 'REPORT_AUDIT_UNREADABLE',
  /** The page's script is missing from the installed package: reinstall or rebuild it. */
  CLIENT_MISSING: 'REPORT_CLIENT_MISSING',
  /** The report could not be written to the path asked for. */
  WRITE_FAILED: 'REPORT_WRITE_FAILED',
  /** The viewer could not listen on the address asked for (a port in use, an address not local). */
  LISTEN_FAILED: 'REPORT_LISTEN_FAILED',
} as const;
export type ReportErrorCode = (typeof ReportErrorCode)[keyof typeof ReportErrorCode];

/** Every error @trace/report throws on purpose. */
export class ReportError extends TraceError<ReportErrorCode> {
  static override readonly brand = Symbol.for('@trace/report.ReportError');
}
