// Recording a run of the example, and replaying it from its tape: the two halves the demo and the
// benchmark share.
import { openAuditLog } from '@trace/audit';
import { live, recording, replay } from '@trace/nondet';
import { openSqliteStore } from '@trace/store-sqlite';
import { openTransport, replayFetch } from '@trace/transport';
import { auditClock, auditHooks, runSession } from './session.mjs';

export const RUN_ID = 'agent-run';
export const SESSION = 'trip-planner';

/**
 * Records one run against the scripted server at `urls` into the tape store at `tapePath`, and
 * its audit log into `auditDir`. Draws and exchanges go into the same tape as they happen, so a
 * run that dies midway leaves a tape of everything it did up to that point.
 */
export async function recordRun({ tapePath, auditDir, keys, urls, iterations, metadata = {} }) {
  const store = openSqliteStore(tapePath);
  try {
    // The example always records afresh, whatever TRACE_MODE says.
    const transport = await openTransport({
      store,
      id: RUN_ID,
      mode: 'record',
      env: {},
      metadata,
    });
    const source = recording(live(), {
      onDraw: (draw) => transport.recorder.append({ type: 'draw', ...draw }),
    });
    const { result, head } = await runAudited(auditDir, keys, source, (audit) =>
      runSession({ server: urls, fetch: transport.fetch, source, audit, iterations }),
    );
    await transport.close();
    return {
      result,
      auditHead: head,
      fingerprint: transport.recorder.fingerprint,
      draws: source.size,
    };
  } finally {
    store.close();
  }
}

/**
 * Reopens the tape and runs the same session from it: HTTP from the recorded exchanges (there is
 * no inner fetch), nondeterminism from the recorded draws, the audit log written anew in `auditDir`.
 */
export async function replayRun({
  tapePath,
  auditDir,
  keys,
  urls,
  iterations,
  expectedFingerprint,
}) {
  const store = openSqliteStore(tapePath, { readonly: true });
  const tape = store.load(RUN_ID);
  store.close();
  const draws = drawLogOf(tape);
  const source = replay(draws);
  const transport = replayFetch({
    tape,
    ...(expectedFingerprint === undefined ? {} : { expectedFingerprint }),
  });
  const { result, head } = await runAudited(auditDir, keys, source, (audit) =>
    runSession({ server: urls, fetch: transport.fetch, source, audit, iterations }),
  );
  return { tape, draws, source, transport, result, auditHead: head };
}

/** The tape's draw events as the nondeterminism log they were recorded from. */
export function drawLogOf(tape) {
  return tape.events
    .filter((event) => event.type === 'draw')
    .map(({ kind, value, stream }) =>
      stream === undefined ? { kind, value } : { kind, value, stream },
    );
}

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
