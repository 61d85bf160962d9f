// A run that dies midway — here a real SIGKILL while it waits on the model — leaves a tape of
// everything it did up to that point: the exchanges that completed and every draw it made, in the
// order it made them. Replaying that tape re-runs the agent offline up to the point of death and
// stops there with a divergence that says so: the failed run, reproduced for debugging.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCheckpointKeys } from '@trace/audit';
import { openSqliteStore } from '@trace/store-sqlite';
import { findDivergence } from '@trace/transport';
import { afterAll, expect, it } from 'vitest';
import { RUN_ID, replayRun } from './runs.mjs';

const child = fileURLToPath(new URL('./__support__/killed-run.mjs', import.meta.url));
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

it('keeps the exchanges and draws of a run killed midway, and replays it up to where it died', async () => {
  const tapePath = join(dir, 'killed.tape.db');
  // Request 3 is the first model call of the second iteration.
  expect(await killWhileWaiting(tapePath, 3)).toEqual({ waitingFor: 3 });

  const store = openSqliteStore(tapePath);
  const tape = store.load(RUN_ID);
  store.close();
  expect(tape.complete).toBe(false);
  expect(tape.counts.exchange).toBe(2);
  // Draws were appended as they were made, not after the run: the run id and clock are drawn
  // before the first model call, and the second iteration's draws before the call it died on.
  const types = tape.events.map((event) => event.type);
  expect(tape.counts.draw).toBeGreaterThan(0);
  expect(types[0]).toBe('draw');
  expect(types.at(-1)).toBe('draw');

  // Offline, the replay re-runs the first iteration and stops at the call that never completed.
  const replayed = replayRun({
    tapePath,
    auditDir: join(dir, 'audit-replay'),
    keys: generateCheckpointKeys(),
    urls: {
      anthropicBaseURL: 'http://127.0.0.1:9/anthropic',
      openaiBaseURL: 'http://127.0.0.1:9/openai',
    },
    iterations: 2,
  });
  const error = await replayed.then(
    () => undefined,
    (caught) => caught,
  );
  const divergence = findDivergence(error);
  expect(divergence?.code).toBe('TRANSPORT_DIVERGED');
  expect(divergence?.details.position).toBe(2);
});
