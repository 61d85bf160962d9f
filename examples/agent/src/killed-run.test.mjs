// A run that dies midway — here a real SIGKILL while it waits on the model — leaves an incomplete
// tape of everything it did up to that point: the exchanges that completed and every draw it made,
// in the order it made them. @trace/run never replays such a tape silently: `auto` and `replay`
// refuse it and say how to re-record it. The tape is still the failed run, for debugging: replayed
// by hand (the transport and nondet beneath the run) it re-runs the agent offline up to the point
// of death and stops there with a divergence that says so. Re-recording replaces it, and `auto`
// then replays the new tape.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCheckpointKeys } from '@trace/audit';
import { startLlmServer } from '@trace/llm-server';
import { drawLogOf, replay } from '@trace/nondet';
import { runAgent } from '@trace/run';
import { openSqliteStore } from '@trace/store-sqlite';
import { replayFetch } from '@trace/transport';
import { afterAll, expect, it } from 'vitest';
import { auditedRun, RUN_ID } from './runs.mjs';
import { runSession, silentAudit } from './session.mjs';
import { respond } from './world.mjs';

const child = fileURLToPath(new URL('./__tests__/killed-run.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trace-killed-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the recording in a child process and kills it while it waits for model request `hangAt`. */
async function killWhileWaiting(tapePath, hangAt) {
  const proc = fork(child, [tapePath, join(dir, 'audit'), String(hangAt)], { stdio: 'pipe' });
  let stderr = '';
  proc.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => proc.once('exit', (_code, signal) => resolve(signal)));
  const waiting = await new Promise((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', () => reject(new Error(`the recording exited before it hung:\n${stderr}`)));
  });
  proc.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return waiting;
}

function storeAt(tapePath, read) {
  const store = openSqliteStore(tapePath);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

it('keeps a killed run as an incomplete tape that auto and replay refuse, replayable by hand up to where it died, and re-recordable', async () => {
  const tapePath = join(dir, 'killed.tape.db');
  // Request 3 is the first model call of the second iteration.
  const killed = await killWhileWaiting(tapePath, 3);
  expect(killed.waitingFor).toBe(3);

  const tape = storeAt(tapePath, (store) => store.load(RUN_ID));
  expect(tape.complete).toBe(false);
  expect(tape.counts.exchange).toBe(2);
  // Draws were appended as they were made, not after the run: the run id and clock are drawn
  // before the first model call, and the second iteration's draws before the call it died on.
  const types = tape.events.map((event) => event.type);
  expect(tape.counts.draw).toBeGreaterThan(0);
  expect(types[0]).toBe('draw');
  expect(types.at(-1)).toBe('draw');
  // The first iteration's verdict was annotated between its calls and the second iteration's draws.
  expect(tape.events.filter((event) => event.type === 'annotation').map((e) => e.data)).toEqual([
    expect.objectContaining({ iteration: 0 }),
  ]);

  // The run never replays it silently, in `auto` or in `replay`: the agent is not even called.
  for (const mode of ['auto', 'replay']) {
    let called = false;
    const refused = await runAgent({ path: tapePath, id: RUN_ID, mode, env: {} }, () => {
      called = true;
    }).then(
      () => undefined,
      (error) => error,
    );
    expect(refused?.code).toBe('RUN_TAPE_INCOMPLETE');
    expect(refused.message).toContain('TRACE_MODE=record');
    expect(called).toBe(false);
  }

  // By hand, offline, the partial tape re-runs the first iteration and stops where the run died:
  // the third model call (request 2), which the tape holds no answer to, at its first attempt
  // (the URLs are the recording's: they are part of what is matched). Every draw up to there is
  // served in order; the agent's handler for the failed call then asks for one more, past the end.
  const draws = drawLogOf(tape.events);
  const source = replay(draws);
  let died;
  const replaying = replayFetch({
    tape,
    onDivergence: (divergence) => {
      died ??= divergence;
      throw divergence;
    },
  });
  const error = await runSession({
    server: killed.urls,
    context: { fetch: replaying.fetch, source, annotate: () => {} },
    audit: silentAudit(source),
    iterations: 2,
    maxRetries: 0,
  }).then(
    () => undefined,
    (caught) => caught,
  );
  expect(died?.code).toBe('TRANSPORT_DIVERGED');
  expect(died.details.position).toBe(2);
  expect(died.message).toContain('no recorded exchange is left');
  expect(replaying.report()).toMatchObject({ recorded: 2, matched: 2, unconsumed: [] });
  expect(error?.code).toBe('NONDET_DIVERGED');
  expect(error.details).toMatchObject({ reason: 'past-end', index: draws.length });

  // Re-recording replaces the incomplete tape with a finished one under the same id, and `auto`
  // then replays that, with the server stopped.
  const keys = generateCheckpointKeys();
  const server = await startLlmServer({ respond });
  const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
  const run = (mode, audit) =>
    auditedRun({ mode, tapePath, auditDir: join(dir, audit), keys, urls, iterations: 2 });
  const rerecorded = await run('record', 'audit-rerecord');
  await server.close();
  expect(rerecorded.report).toMatchObject({ mode: 'record', complete: true });
  const tapes = storeAt(tapePath, (store) => store.list());
  expect(tapes.map(({ id, complete, fingerprint }) => ({ id, complete, fingerprint }))).toEqual([
    { id: RUN_ID, complete: true, fingerprint: rerecorded.report.fingerprint },
  ]);
  const replayed = await run('auto', 'audit-replay');
  expect(replayed.report).toMatchObject({
    mode: 'replay',
    fingerprint: rerecorded.report.fingerprint,
    exchanges: { matched: 6, recorded: 6, unconsumed: [] },
    draws: { unconsumed: 0 },
  });
  expect(replayed.result).toEqual(rerecorded.result);
  expect(replayed.auditHead).toEqual(rerecorded.auditHead);
});
