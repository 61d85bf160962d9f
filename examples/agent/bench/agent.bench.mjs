// End to end: the demo agent's run recorded against the local LLM server, against the same run
// replayed from its tape with the server stopped; for 10 and 100 iterations. Figures printed,
// never asserted. Run with `pnpm bench` (after a build).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCheckpointKeys } from '@trace/audit';
import { startLlmServer } from '@trace/llm-server';
import { recording, replay } from '@trace/nondet';
import { openStore } from '@trace/tape';
import { openTransport, replayFetch } from '@trace/transport';
import { respond, runAudited } from '../src/demo.mjs';
import { runSession } from '../src/session.mjs';

const dir = mkdtempSync(join(tmpdir(), 'trace-agent-bench-'));
const keys = generateCheckpointKeys();
const line = (name, value, unit) =>
  console.log(`${name.padEnd(56)} ${String(value).padStart(10)} ${unit}`);

for (const iterations of [10, 100]) {
  const path = join(dir, `run-${iterations}.tape.db`);
  const server = await startLlmServer({ respond });
  const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };

  const t0 = process.hrtime.bigint();
  const store = openStore(path);
  const transport = openTransport({ store, id: 'bench', mode: 'record', env: {} });
  const source = recording();
  await runAudited(join(dir, `audit-${iterations}`), keys, source, (audit) =>
    runSession({ server: urls, fetch: transport.fetch, source, audit, iterations }),
  );
  for (const draw of source.log()) transport.recorder.append({ type: 'draw', ...draw });
  await transport.close();
  store.close();
  const recordMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await server.close();

  const t1 = process.hrtime.bigint();
  const reopened = openStore(path, { readonly: true });
  const tape = reopened.load('bench');
  reopened.close();
  const draws = tape.events
    .filter((e) => e.type === 'draw')
    .map(({ kind, value, stream }) =>
      stream === undefined ? { kind, value } : { kind, value, stream },
    );
  const replaySource = replay(draws);
  const replaying = replayFetch({ tape });
  await runAudited(join(dir, `audit-replay-${iterations}`), keys, replaySource, (audit) =>
    runSession({ server: urls, fetch: replaying.fetch, source: replaySource, audit, iterations }),
  );
  const replayMs = Number(process.hrtime.bigint() - t1) / 1e6;
  if (replaying.report().matched !== tape.counts.exchange)
    throw new Error('the replay did not match every exchange');

  const size = statSync(path).size;
  line(`${iterations} iterations: recorded against the local server`, recordMs.toFixed(0), 'ms');
  line(
    `${iterations} iterations: replayed from the tape (reopen included)`,
    replayMs.toFixed(0),
    'ms',
  );
  line(`${iterations} iterations: record / replay`, (recordMs / replayMs).toFixed(2), 'x');
  line(
    `${iterations} iterations: tape on disk per iteration`,
    (size / iterations / 1024).toFixed(1),
    'KiB',
  );
}
rmSync(dir, { recursive: true, force: true });
