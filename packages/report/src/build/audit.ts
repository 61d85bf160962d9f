/**
 * An audit log for the page: its entries, placed on the run's time axis, and what verifying it
 * says — integrity and completeness each stated, never implied by the other.
 */
import { type KeyInput, readEntries, verifyAuditLog } from '@trace/audit';
import { ReportError } from '../errors.js';
import type { Json, ReportAudit, ReportAuditEntry } from '../shared/report-data.js';

/** Where the run's audit log is, and the keys to verify it with (as `verifyAuditLog` of @trace/audit takes them). */
export interface ReportAuditOptions {
  /** The log's directory. */
  readonly dir: string;
  /** The HMAC key the log was written with, if it was keyed. */
  readonly key?: string | Uint8Array;
  /** The Ed25519 public key that signs its checkpoints. Without it, completeness is shown as not proven. */
  readonly publicKey?: KeyInput | readonly KeyInput[];
  /** Only the entries of this session. */
  readonly session?: string;
}

export async function auditForReport(
  options: ReportAuditOptions,
  startedAt: number | undefined,
): Promise<ReportAudit> {
  const entries: ReportAuditEntry[] = [];
  try {
    for await (const entry of readEntries(options.dir)) {
      if (options.session !== undefined && entry.session !== options.session) continue;
      const ms = Date.parse(entry.ts);
      entries.push({
        seq: entry.seq,
        ts: entry.ts,
        type: entry.type,
        ...(entry.session === undefined ? {} : { session: entry.session }),
        payload: entry.payload as Json,
        ...(startedAt === undefined || Number.isNaN(ms) ? {} : { t: Math.max(0, ms - startedAt) }),
      });
    }
  } catch (cause) {
    throw new ReportError(
      'REPORT_AUDIT_UNREADABLE',
      `The audit log in ${options.dir} cannot be read: check the directory, or run verifyAuditLog on it.`,
      { cause, details: { dir: options.dir } },
    );
  }
  const report = await verifyAuditLog(options.dir, {
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(options.publicKey === undefined ? {} : { publicKey: options.publicKey }),
  });
  const { integrity, completeness } = report;
  return {
    entries,
    verification: {
      ok: report.ok,
      checked: report.checked,
      integrity:
        integrity.problem === undefined
          ? { ok: integrity.ok }
          : {
              ok: integrity.ok,
              problem: `${integrity.problem.kind}: ${integrity.problem.message}`,
            },
      completeness: {
        ok: completeness.ok,
        ...(completeness.provenThrough === null
          ? {}
          : { provenThrough: completeness.provenThrough }),
        unanchored: completeness.unanchored,
        ...(completeness.problem === undefined
          ? {}
          : { problem: `${completeness.problem.kind}: ${completeness.problem.message}` }),
      },
      summary: report.summary,
    },
  };
}
