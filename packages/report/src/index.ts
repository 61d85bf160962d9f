/**
 * @trace/report: see a recorded run — one self-contained, offline HTML report of its timeline,
 * exchanges, branches, blame and audit log, and a local read-only viewer over a whole store.
 */
export type { ReportAuditOptions } from './build/audit.js';
export {
  type BuildReportOptions,
  buildReport,
  type WriteReportOptions,
  writeReport,
} from './build-report.js';
export { ReportError, ReportErrorCode } from './errors.js';
export type { ReportBlame, ReportBlameStep, ReportData } from './shared/report-data.js';
export { startViewer, type Viewer, type ViewerOptions } from './viewer/server.js';
