// Recording a run of the example into its tape, and replaying it from there: one `runAgent` call
// each, with the audit log opened around the session and stamped from the run's source.
import { openAuditLog } from '@trace/audit';
import { runAgent } from '@trace/run';
import { auditClock, auditHooks, runSession } from './session.mjs';

export const RUN_ID = 'agent-run';
export const SESSION = 'trip-planner';

/**
 * Runs the session under @trace/run in `mode` ('record' against the scripted server at `urls`,
 * 'replay' from the tape alone, or 'auto') with the tape store at `tapePath`, writing its audit log
 * into `auditDir`. Resolves with the session's result, the audit log's head and the run's report.
 * A recording appends every exchange, draw and annotation as it happens, so a run that dies
 * midway leaves an (incomplete) tape of everything it did up to that point.
 */
export async function auditedRun({ mode, tapePath, auditDir, keys, urls, iterations, metadata }) {
  const { value, report } = await runAgent(
    {
      path: tapePath,
      id: RUN_ID,
      mode,
      // The demo records, then replays, whatever TRACE_MODE or CI say.
      env: {},
      // The agent draws everything through ctx.source; the audit log's own lock file reads the
      // real clock, and is not the agent's nondeterminism.
      globals: false,
      ...(metadata === undefined ? {} : { metadata }),
    },
    (context) =>
      runAudited(auditDir, keys, context.source, (audit) =>
        runSession({ server: urls, context, audit, iterations }),
      ),
  );
  return { result: value.result, auditHead: value.head, report };
}

/** Records the run against the scripted server; an older tape under the id is replaced. */
export const recordRun = (options) => auditedRun({ ...options, mode: 'record' });

/** Replays the run from its tape: no request reaches a server, every draw comes from the tape. */
export const replayRun = (options) => auditedRun({ ...options, mode: 'replay' });

/** Runs `body` with an audit log open in `dir`, stamped from `source`; returns its result and the log's head. */
export async function runAudited(dir, keys, source, body) {
  const clock = auditClock();
  const log = await openAuditLog(dir, {
    now: clock.now,
    signingKey: keys.privateKey,
    origin: 'trace-demo',
  });
  try {
    const result = await body(auditHooks(log, SESSION, source, clock));
    return { result, head: log.head };
  } finally {
    await log.close();
  }
}
