/**
 * Everything one report shows, gathered from the store (and an audit log): the run's events
 * shaped for reading, its branches with their diffs, its blame and its audit log.
 */
import type { Tape, TapeStore } from '@trace/tape';
import { ReportError } from '../errors.js';
import type { Json, ReportBlame, ReportData } from '../shared/report-data.js';
import { auditForReport, type ReportAuditOptions } from './audit.js';
import { checkBlame, storedBlame } from './blame.js';
import { BodyTable } from './body-table.js';
import { branchesForReport } from './branches.js';
import { shapeEvents } from './shape-events.js';

export interface ReportDataOptions {
  readonly store: TapeStore;
  readonly id: string;
  readonly audit?: ReportAuditOptions;
  /** A blame result; by default the one @trace/blame stored beside the run, if any. `false`: none. */
  readonly blame?: ReportBlame | false;
  /** Where the page streams a run still being recorded from (set by the viewer). */
  readonly liveUrl?: string;
}

export async function gatherReportData(options: ReportDataOptions): Promise<ReportData> {
  const { store, id } = options;
  if (typeof id !== 'string' || id === '')
    throw new ReportError('REPORT_INVALID_OPTION', 'Pass the id of the run to report on as `id`.', {
      details: { option: 'id' },
    });
  if (!(await store.has(id)))
    throw new ReportError(
      'REPORT_NO_RUN',
      `The store ${store.location} holds no run ${id}: list its runs (trace list) and check the id.`,
      {
        details: { id, location: store.location },
      },
    );
  const tape: Tape = await store.load(id);
  const table = new BodyTable();
  const { events, time } = shapeEvents(tape.events, table);

  let branches: ReportData['branches'];
  let branchesProblem: string | undefined;
  if (tape.complete) {
    try {
      branches = await branchesForReport(store, id);
    } catch (cause) {
      branchesProblem = `The branches could not be read: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
  } else {
    branchesProblem =
      'The run is still being recorded (or its recording was interrupted): it has no branches yet.';
  }

  const blameValue =
    options.blame === false ? undefined : (options.blame ?? (await storedBlame(store, id)));
  const blame = blameValue === undefined ? undefined : checkBlame(blameValue, id);
  const audit =
    options.audit === undefined ? undefined : await auditForReport(options.audit, time.startedAt);

  return {
    version: 1,
    run: {
      id,
      fingerprint: tape.fingerprint,
      complete: tape.complete,
      createdAt: tape.metadata.createdAt,
      counts: { ...tape.counts },
      metadata: tape.metadata as unknown as Json,
    },
    time,
    events,
    bodies: table.entries,
    ...(branches === undefined ? {} : { branches }),
    ...(branchesProblem === undefined ? {} : { branchesProblem }),
    ...(blame === undefined ? {} : { blame }),
    ...(audit === undefined ? {} : { audit }),
    ...(options.liveUrl === undefined ? {} : { live: { url: options.liveUrl } }),
    generatedAt: new Date().toISOString(),
  };
}
