// @trace/fork benchmark: figures printed, never asserted. Run with `pnpm bench` (after a build).
//
// The example agent (examples/agent `planTrip`, Anthropic SDK, streamed on odd iterations) with 50
// iterations makes 100 exchanges. Printed: the time of a fork at the last of them (99 exchanges
// and their draws served and proven from the parent, one replaced) against a full replay of the
// same run with @trace/run, and the bytes a branch adds to the SQLite store against the parent's.
// Issue #16's storage target (a fork at step k of n adds O(n − k)) needs the prefix's event rows
// shared, which waits for the store format change of issue #20: today a branch copies them.
//   node --expose-gc bench/fork.bench.mjs [--iterations <n>] [--runs <n>]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { runAgent } from '@trace/run';
import { openSqliteStore } from '@trace/store-sqlite';
import { planTrip } from '../../../examples/agent/src/agent.mjs';
import { respond } from '../../../examples/agent/src/world.mjs';
import { forkRun } from '../dist/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const ITERATIONS = arg('--iterations', 50);
const RUNS = arg('--runs', 10);
const hooks = { phase() {}, verdict() {}, sampling() {}, toolCall() {} };
const line = (name, value, unit) =>
  console.log(`${name.padEnd(64)} ${String(value).padStart(14)} ${unit}`);

const dir = mkdtempSync(join(tmpdir(), 'trace-fork-bench-'));
const path = join(dir, 'runs.tape.db');
const server = await startLlmServer({ respond });
const agent = (ctx) =>
  planTrip({
    client: new Anthropic({
      apiKey: 'bench',
      baseURL: server.anthropicBaseURL,
      fetch: ctx.fetch,
      maxRetries: 0,
    }),
    source: ctx.source,
    iterations: ITERATIONS,
    hooks,
  });
const sizeOf = () => statSync(path).size;
try {
  const { report } = await runAgent({ path, id: 'parent', mode: 'record' }, agent);
  const n = report.exchanges.recorded;
  const parentBytes = sizeOf();
  // One branch kept, measured with the store closed (its log folded into the file).
  const first = openSqliteStore(path);
  await forkRun(
    {
      store: first,
      parent: 'parent',
      at: { exchange: n - 1 },
      intervene: { kind: 'message', text: 'Plan for Oslo: rest.' },
    },
    agent,
  );
  first.close();
  const branchBytes = sizeOf() - parentBytes;
  const store = openSqliteStore(path);
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const replays = [];
  const forks = [];
  for (let i = 0; i < RUNS; i++) {
    globalThis.gc?.();
    let t = performance.now();
    await runAgent({ store, id: 'parent', mode: 'replay' }, agent);
    replays.push(performance.now() - t);
    globalThis.gc?.();
    t = performance.now();
    const { branch } = await forkRun(
      {
        store,
        parent: 'parent',
        at: { exchange: n - 1 },
        intervene: { kind: 'message', text: 'Plan for Oslo: rest.' },
      },
      agent,
    );
    forks.push(performance.now() - t);
    await store.delete(branch.id);
  }
  store.close();
  line(`exchanges in the parent`, n, '');
  line(`full replay (runAgent, median of ${RUNS})`, median(replays).toFixed(1), 'ms');
  line(`fork at exchange ${n - 1} (forkRun, median of ${RUNS})`, median(forks).toFixed(1), 'ms');
  line('fork / replay', (median(forks) / median(replays)).toFixed(2), 'x');
  line('store file with the parent', parentBytes, 'B');
  line('bytes one branch (fork at the last exchange) adds to the file', branchBytes, 'B');
  line('branch bytes / parent bytes', (branchBytes / parentBytes).toFixed(2), 'x');
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
