// @trace/run benchmark: figures printed, never asserted. Run with `pnpm bench` (after a build).
//
// The overhead of `runAgent` replaying the example agent (examples/agent: the Anthropic SDK agent
// and the OpenAI variant, their draws, streamed and whole answers) over the same replay done by
// hand with the packages beneath it: @trace/transport's `replayFetch` and @trace/nondet's
// `replay`. Both load the tape from the same open SQLite store on every run, check that every
// exchange and draw was used, and run the very same agent code; they alternate in rotating order,
// after a warm-up, in several rounds. Target (issue #12): runAgent ≤ 1.1× the bare replay.
// Also printed: runAgent with its default `globals: true` (the agent in the run's scope), and
// both sides opening the store file on every run, as a test that passes `path` does.
//   node --expose-gc bench/run.bench.mjs [--iterations <n>] [--rounds <n>] [--runs <n>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLlmServer } from '@trace/llm-server';
import { replay } from '@trace/nondet';
import { openSqliteStore } from '@trace/store-sqlite';
import { replayFetch } from '@trace/transport';
// The example agent's replayable core, imported by path: the code the demo records and replays.
import { runSession, silentAudit } from '../../../examples/agent/src/session.mjs';
import { respond } from '../../../examples/agent/src/world.mjs';
import { runAgent } from '../dist/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const ITERATIONS = arg('--iterations', 3); // the demo's default
const ROUNDS = arg('--rounds', 25);
const RUNS = arg('--runs', 30); // replays per variant per round
const TARGET = 1.1;
const ID = 'bench-agent';

function line(name, value, unit, verdict = '') {
  console.log(`${name.padEnd(72)} ${String(value).padStart(22)} ${unit.padEnd(4)} ${verdict}`);
}

// Record the agent once against the scripted server, then stop the server: every replay below
// runs offline.
const dir = mkdtempSync(join(tmpdir(), 'trace-run-bench-'));
const path = join(dir, 'bench.tape.db');
const server = await startLlmServer({ respond });
const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
const agent = (context) =>
  runSession({ server: urls, context, audit: silentAudit(context.source), iterations: ITERATIONS });
const base = { id: ID, env: {}, globals: false };
const recorded = await runAgent({ ...base, path, mode: 'record' }, agent);
await server.close();
const expected = JSON.stringify(recorded.value);
const store = openSqliteStore(path, { readonly: true });

/** Fails the benchmark (never a timing) when a replay did not do what the recording did. */
function same(value, what) {
  if (JSON.stringify(value) !== expected) throw new Error(`${what}: the replay returned otherwise`);
}

/** The replay by hand, from a loaded tape: the draw log, replayFetch + replay, the agent, every exchange and draw used. */
async function bareReplay(tape) {
  const draws = [];
  for (const event of tape.events) {
    if (event.type !== 'draw') continue;
    draws.push(
      event.stream === undefined
        ? { kind: event.kind, value: event.value }
        : { kind: event.kind, value: event.value, stream: event.stream },
    );
  }
  const source = replay(draws);
  const transport = replayFetch({ tape });
  const value = await runSession({
    server: urls,
    context: { fetch: transport.fetch, source, annotate: () => {} },
    audit: silentAudit(source),
    iterations: ITERATIONS,
  });
  source.assertConsumed();
  const { matched, recorded: onTape, unconsumed } = transport.report();
  if (matched !== onTape || unconsumed.length > 0) throw new Error('bare: exchanges left');
  same(value, 'bare');
}

// Each variant, and the one it is measured against. The headline pair loads the tape from a
// store both keep open; the second pair opens the store file on every run, as a test that passes
// `path` does.
const variants = {
  bare: {
    label: 'bare replayFetch + nondet replay',
    short: 'bare',
    run: async () => bareReplay(await store.load(ID)),
  },
  runAgent: {
    label: 'runAgent replay, globals: false (as the demo)',
    against: 'bare',
    target: TARGET,
    run: async () => same((await runAgent({ ...base, store, mode: 'replay' }, agent)).value, 'run'),
  },
  runAgentGlobals: {
    label: 'runAgent replay, globals: true (the default)',
    against: 'bare',
    run: async () =>
      same((await runAgent({ ...base, store, mode: 'replay', globals: true }, agent)).value, 'run'),
  },
  barePath: {
    label: 'bare, store opened read-only per run',
    short: 'bare read-only',
    run: async () => {
      const opened = openSqliteStore(path, { readonly: true });
      try {
        await bareReplay(await opened.load(ID));
      } finally {
        opened.close();
      }
    },
  },
  // What a read-write open costs on its own (WAL set up on open, folded back on close): the
  // store a run opens from `path` is opened so.
  barePathWritable: {
    label: 'bare, store opened read-write per run',
    against: 'barePath',
    run: async () => {
      const opened = openSqliteStore(path);
      try {
        await bareReplay(await opened.load(ID));
      } finally {
        opened.close();
      }
    },
  },
  runAgentPath: {
    label: 'runAgent replay from a path, store opened per run',
    against: 'barePath',
    run: async () => same((await runAgent({ ...base, path, mode: 'replay' }, agent)).value, 'run'),
  },
};
const names = Object.keys(variants);

/** One run of `fn`, in ms. */
async function once(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// Warm-up: every variant, until the JIT has seen them all.
for (let i = 0; i < 3 * RUNS; i++) for (const name of names) await once(variants[name].run);

// Rounds of RUNS runs of each variant, interleaved run by run — so a change in the machine's load
// hits every variant alike — in an order that rotates (and reverses) from round to round, so no
// variant always runs first or after the same other one. Per round: the mean ms per run of each,
// and its ratio to its baseline's.
const times = Object.fromEntries(names.map((name) => [name, []]));
const ratios = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  if (round % 2 === 1) order.reverse();
  const ms = Object.fromEntries(names.map((name) => [name, 0]));
  globalThis.gc?.();
  for (let i = 0; i < RUNS; i++)
    for (const name of order) ms[name] += await once(variants[name].run);
  for (const name of names) {
    times[name].push(ms[name] / RUNS);
    const { against } = variants[name];
    if (against !== undefined) ratios[name].push(ms[name] / ms[against]);
  }
}
store.close();
rmSync(dir, { recursive: true, force: true });

const { exchanges, draws } = recorded.report;
console.log(
  `@trace/run: replaying the example agent (${ITERATIONS} iterations: ${exchanges.recorded} exchanges, ${draws.recorded} draws), ${ROUNDS} rounds x ${RUNS} runs, median [quartiles]`,
);
const spread = (values, digits) =>
  `${quantile(values, 0.5).toFixed(digits)} [${quantile(values, 0.25).toFixed(digits)}-${quantile(values, 0.75).toFixed(digits)}]`;
for (const name of names) line(`${variants[name].label}, per run`, spread(times[name], 2), 'ms');
for (const name of names) {
  const { label, against, target } = variants[name];
  if (against === undefined) continue;
  const ratio = quantile(ratios[name], 0.5);
  line(
    `${label.split(' (')[0]} / ${variants[against].short}`,
    spread(ratios[name], 3),
    'x',
    target === undefined ? '' : `target <= ${target}x  ${ratio <= target ? 'MET' : 'NOT MET'}`,
  );
}

function quantile(values, q) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}
