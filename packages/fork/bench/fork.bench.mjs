// @trace/fork benchmark: figures printed, never asserted. Run with `pnpm bench` (after a build).
//
// The example agent (examples/agent `planTrip`, Anthropic SDK, streamed on odd iterations) with 50
// iterations makes 100 exchanges. Printed: the time of a fork at the last of them (99 exchanges
// and their draws served and proven from the parent, one replaced) against a full replay of the
// same run with @trace/run, and the bytes a branch adds to the SQLite store against the parent's.
// Storage (issue #16's target: a fork at step k of n adds O(n − k)): a branch at each of several
// fork points, each in a fresh copy of the parent's store, its added bytes against the number of
// events after the fork point.
//   node --expose-gc bench/fork.bench.mjs [--iterations <n>] [--runs <n>]
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
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
  const parentEvents = openSqliteStore(path, { readonly: true });
  const eventCount = parentEvents.list()[0].eventCount;
  parentEvents.close();
  // One branch per fork point, each in a copy of the parent's file, measured with the store
  // closed (its log folded into the file).
  const storage = [];
  for (const k of [0, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4), n - 1]) {
    const copy = join(dir, `at-${k}.tape.db`);
    copyFileSync(path, copy);
    const before = statSync(copy).size;
    const { branch } = await forkRun(
      {
        path: copy,
        parent: 'parent',
        at: { exchange: k },
        intervene: { kind: 'message', text: 'Plan for Oslo: rest.' },
      },
      agent,
    );
    const reader = openSqliteStore(copy, { readonly: true });
    const branchEvents = reader.list().find((tape) => tape.id === branch.id).eventCount;
    // The fork point's seq: where the branch's exchange k is (exchanges here are in issue order).
    let exchanges = 0;
    const forkSeq = reader
      .load(branch.id)
      .events.findIndex((event) => event.type === 'exchange' && exchanges++ === k);
    reader.close();
    storage.push({ k, tail: branchEvents - forkSeq, bytes: statSync(copy).size - before });
  }
  const branchBytes = storage.at(-1).bytes;
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
  line('events in the parent', eventCount, '');
  for (const { k, tail, bytes } of storage)
    line(
      `fork at exchange ${k}: ${tail} events from the fork point on, bytes added`,
      `${bytes} (${(bytes / Math.max(tail, 1)).toFixed(0)}/event)`,
      'B',
    );
  line(
    'branch at the last exchange: bytes / parent bytes',
    (branchBytes / parentBytes).toFixed(3),
    'x',
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
