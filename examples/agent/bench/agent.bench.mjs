// End to end: the demo agent's run recorded against the local LLM server, against the same run
// replayed from its tape with the server stopped; for 10 and 100 iterations. Figures printed,
// never asserted. Run with `pnpm bench` (after a build).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCheckpointKeys } from '@trace/audit';
import { startLlmServer } from '@trace/llm-server';
import { recordRun, replayRun } from '../src/runs.mjs';
import { respond } from '../src/world.mjs';

const dir = mkdtempSync(join(tmpdir(), 'trace-agent-bench-'));
const keys = generateCheckpointKeys();
const line = (name, value, unit) =>
  console.log(`${name.padEnd(60)} ${String(value).padStart(10)} ${unit}`);
const since = (start) => Number(process.hrtime.bigint() - start) / 1e6;

for (const iterations of [10, 100]) {
  const tapePath = join(dir, `run-${iterations}.tape.db`);
  const server = await startLlmServer({ respond });
  const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };

  const t0 = process.hrtime.bigint();
  await recordRun({ tapePath, auditDir: join(dir, `audit-${iterations}`), keys, urls, iterations });
  const recordMs = since(t0);
  await server.close();

  const t1 = process.hrtime.bigint();
  const replayed = await replayRun({
    tapePath,
    auditDir: join(dir, `audit-replay-${iterations}`),
    keys,
    urls,
    iterations,
  });
  const replayMs = since(t1);
  const { matched, recorded } = replayed.report.exchanges;
  if (matched !== recorded)
    throw new Error(`the replay matched ${matched} of ${recorded} exchanges`);

  line(`${iterations} iterations: recorded against the local server`, recordMs.toFixed(0), 'ms');
  line(
    `${iterations} iterations: replayed from the tape (reopen included)`,
    replayMs.toFixed(0),
    'ms',
  );
  line(`${iterations} iterations: record / replay`, (recordMs / replayMs).toFixed(2), 'x');
  line(
    `${iterations} iterations: tape on disk per iteration`,
    (statSync(tapePath).size / iterations / 1024).toFixed(1),
    'KiB',
  );
}
rmSync(dir, { recursive: true, force: true });
