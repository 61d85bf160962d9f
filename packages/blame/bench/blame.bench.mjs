// @trace/blame benchmark: figures printed, never asserted. Run with `pnpm bench` (after a build).
//
// A small recorded run — the example agent (examples/agent `planTrip`, Anthropic SDK, streamed on
// odd iterations) for 2 iterations: 4 exchanges and their draws — is blamed at k trials per step
// and a given concurrency, every step resampled (exchanges) or redrawn (draws), the tails against
// the scripted server. Printed: forks per second of the whole blame (its replay of the run, plan,
// trials, statistics and save included), and the overhead of a blame trial over a bare forkRun:
// the same forks (same steps, interventions, tails, concurrency) made with forkRun alone, in the
// same run, median of --runs alternating rounds.
//   node bench/blame.bench.mjs [--k <n>] [--concurrency <n>] [--iterations <n>] [--runs <n>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { forkRun } from '@trace/fork';
import { startLlmServer } from '@trace/llm-server';
import { runAgent } from '@trace/run';
import { openSqliteStore } from '@trace/store-sqlite';
import { planTrip } from '../../../examples/agent/src/agent.mjs';
import { respond } from '../../../examples/agent/src/world.mjs';
import { blame, jsonPathMatches } from '../dist/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const K = arg('--k', 10);
const CONCURRENCY = arg('--concurrency', 4);
const ITERATIONS = arg('--iterations', 2);
const RUNS = arg('--runs', 3);
const hooks = { phase() {}, verdict() {}, sampling() {}, toolCall() {} };
const line = (name, value, unit) =>
  console.log(`${name.padEnd(64)} ${String(value).padStart(14)} ${unit}`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'trace-blame-bench-'));
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

/** The same forks blame makes, with forkRun alone: every step, K trials, CONCURRENCY at once. */
async function bareForks(store, points) {
  const jobs = points.flatMap((at) =>
    Array.from({ length: K }, (_, trial) => ({ at, seed: `bench/${JSON.stringify(at)}/${trial}` })),
  );
  const ids = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { at, seed } = jobs[next++];
      const { branch } = await forkRun(
        { store, parent: 'trip', at, intervene: { kind: 'resample' }, tail: { draws: { seed } } },
        agent,
      );
      ids.push(branch.id);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  for (const id of ids) store.delete(id); // outside the timing: a bare fork leaves its branch
  return { ms, forks: jobs.length };
}

try {
  await runAgent({ path, id: 'trip', mode: 'record', env: {} }, agent);
  const store = openSqliteStore(path);
  const oracle = jsonPathMatches('days[0].accepted', /true/);
  const options = {
    store,
    run: 'trip',
    oracle,
    trials: K,
    concurrency: CONCURRENCY,
    tail: (trial) => ({ draws: { seed: trial.seed } }),
  };
  const blameTimes = [];
  const bareTimes = [];
  let forks = 0;
  let steps = 0;
  for (let round = 0; round < RUNS; round++) {
    const started = performance.now();
    const result = await blame(options, agent);
    blameTimes.push(performance.now() - started);
    steps = result.steps.length;
    forks = result.steps.reduce((n, s) => n + s.trials, 0);
    const bare = await bareForks(
      store,
      result.steps.map((s) => s.step),
    );
    bareTimes.push(bare.ms);
  }
  const blameMs = median(blameTimes);
  const bareMs = median(bareTimes);
  line(`run blamed: ${ITERATIONS} iterations, steps (exchanges + draws)`, steps, 'steps');
  line(`forks per blame (k = ${K}, concurrency ${CONCURRENCY})`, forks, 'forks');
  line('blame wall time (median)', blameMs.toFixed(0), 'ms');
  line('blame throughput', ((forks / blameMs) * 1000).toFixed(1), 'forks/s');
  line('bare forkRun, same forks and concurrency (median)', bareMs.toFixed(0), 'ms');
  line('bare forkRun throughput', ((forks / bareMs) * 1000).toFixed(1), 'forks/s');
  line('overhead of a blame trial over a bare forkRun', (blameMs / bareMs).toFixed(2), '×');
  store.close();
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
