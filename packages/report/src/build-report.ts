/**
 * The report: one self-contained HTML page of a recorded run — its timeline, every exchange's
 * request and response, its branches, its blame and its audit log — that opens from disk,
 * offline, in any current browser.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import type { TapeStore } from '@trace/tape';
import type { ReportAuditOptions } from './build/audit.js';
import { clientBundle } from './build/client-bundle.js';
import { reportHtml } from './build/html.js';
import { gatherReportData } from './build/report-data.js';
import { ReportError } from './errors.js';
import type { ReportBlame } from './shared/report-data.js';

export interface BuildReportOptions {
  /** An open tape store, which the report does not close. Give this or `path`. */
  readonly store?: TapeStore;
  /** An SQLite store file, opened read-only and closed again. Give this or `store`. */
  readonly path?: string;
  /** The run to report on. */
  readonly id: string;
  /** The run's audit log, to show beside the timeline with its verification status. */
  readonly audit?: ReportAuditOptions;
  /**
   * A blame result of `@trace/blame` (its `BlameResult` is one) to show. By default the one
   * `blame()` stored beside the run, if any; `false` shows none. A value of another shape, or of
   * another run, is refused with REPORT_INVALID_BLAME.
   */
  readonly blame?: ReportBlame | false;
}

export interface WriteReportOptions extends BuildReportOptions {
  /** Where to write the page; its folder is created. */
  readonly out: string;
}

/** The report of run `id` as the HTML text of one self-contained page. */
export async function buildReport(options: BuildReportOptions): Promise<string> {
  return withStore(options, async (store) => {
    const data = await gatherReportData({
      store,
      id: options.id,
      ...(options.audit === undefined ? {} : { audit: options.audit }),
      ...(options.blame === undefined ? {} : { blame: options.blame }),
    });
    return reportHtml({ data, script: clientBundle() });
  });
}

/** Writes the report of run `id` to `out` and resolves with its absolute path. */
export async function writeReport(options: WriteReportOptions): Promise<string> {
  if (typeof options.out !== 'string' || options.out === '')
    throw new ReportError(
      'REPORT_INVALID_OPTION',
      'Pass the file to write the report to as `out`.',
      { details: { option: 'out' } },
    );
  const html = await buildReport(options);
  const path = resolve(options.out);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
  } catch (cause) {
    throw new ReportError(
      'REPORT_WRITE_FAILED',
      `The report cannot be written to ${path}: check the folder exists and is writable.`,
      {
        cause,
        details: { path },
      },
    );
  }
  return path;
}

/** Runs `body` with the store the options name: theirs, or the file at `path` opened read-only. */
export async function withStore<T>(
  options: { store?: TapeStore; path?: string },
  body: (store: TapeStore) => Promise<T>,
): Promise<T> {
  if ((options.store === undefined) === (options.path === undefined))
    throw new ReportError(
      'REPORT_INVALID_OPTION',
      'Give exactly one of `store` (an open TapeStore) and `path` (an SQLite store file).',
      {
        details: { option: 'store' },
      },
    );
  if (options.store !== undefined) return body(options.store);
  const store = openSqliteStore(options.path as string, { readonly: true });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}
