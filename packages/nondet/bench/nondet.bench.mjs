// Cost per draw of @trace/nondet against the direct platform call, measured in the same run.
// Run with `pnpm bench` (node --expose-gc bench/nondet.bench.mjs) after `pnpm build`.
import { outsideScopes } from '@trace/spec';
import { compareLogs, live, recording, replay, withGlobals } from '../dist/index.js';

// An agent run draws hundreds to thousands of values; a recording of N draws per round keeps the
// log at a realistic size, and many rounds average out the noise of a shared machine.
const ROUNDS = 41;
const N = 20_000;

/** Best-of-rounds nanoseconds per operation; `setup` runs untimed before each round. */
function measure(setup, body) {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const state = setup();
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    body(state, N);
    const ns = Number(process.hrtime.bigint() - start) / N;
    if (round > 0 && ns < best) best = ns; // round 0 is warm-up
  }
  return best;
}

let sink = 0;
const consume = (v) => {
  sink = (sink + (typeof v === 'number' ? v : typeof v === 'string' ? v.length : 1)) % 1e9;
};

const draws = {
  'clock.wall': { direct: () => Date.now(), via: (s) => s.now() },
  'clock.monotonic': { direct: () => performance.now(), via: (s) => s.monotonic() },
  'random.float': { direct: () => Math.random(), via: (s) => s.float() },
  'uuid.v4': { direct: () => crypto.randomUUID(), via: (s) => s.uuidV4() },
  'random.bytes(16)': {
    direct: () => crypto.getRandomValues(new Uint8Array(16)),
    via: (s) => s.bytes(16),
  },
  'random.int(1,6)': { direct: () => Math.floor(Math.random() * 6) + 1, via: (s) => s.int(1, 6) },
};

const run = (fn) => (source, n) => {
  for (let i = 0; i < n; i++) consume(fn(source));
};

const rows = [];
const results = { record: [], replay: [], scoped: [] };
for (const [kind, { direct, via }] of Object.entries(draws)) {
  const base = measure(() => undefined, run(direct));
  const rec = measure(() => recording(live()), run(via));
  const recorded = recording(live());
  run(via)(recorded, N);
  const log = recorded.log();
  const rep = measure(() => replay(log), run(via));
  rows.push({
    kind,
    'direct ns': base,
    'record ns': rec,
    'record ×': rec / base,
    'replay ns': rep,
    'replay ×': rep / base,
  });
  results.record.push(rec);
  results.replay.push(rep);
}

const globalsCases = {
  'Date.now()': () => Date.now(),
  'new Date()': () => new Date(),
  'Math.random()': () => Math.random(),
  'crypto.randomUUID()': () => crypto.randomUUID(),
  'performance.now()': () => performance.now(),
};
const scopedRows = [];
const source = live();
for (const [name, call] of Object.entries(globalsCases)) {
  const direct = measure(() => undefined, run(call));
  const scoped = measure(
    () => undefined,
    (_, n) => withGlobals(source, () => run(call)(undefined, n)),
  );
  // Code outside any scope while another scope holds the patches installed.
  let outside = 0;
  withGlobals(source, () => {
    outside = measure(
      () => undefined,
      (_, n) => outsideAnyScope(() => run(call)(undefined, n)),
    );
  });
  scopedRows.push({
    global: name,
    'direct ns': direct,
    'in scope ns': scoped,
    'in scope ×': scoped / direct,
    'outside, patched ×': outside / direct,
  });
  results.scoped.push(scoped / direct);
}

/** Runs `fn` outside the current scope, as unrelated concurrent code would. */
function outsideAnyScope(fn) {
  return outsideScopes(fn);
}

// compareLogs must stay linear in the log's length: a long run's log is compared whole. Per-draw
// cost on a log 4× longer, against the shorter one, in the same run (linear ≈ 1×, quadratic ≈ 4×).
function compareCost(length) {
  const log = Array.from({ length }, (_, i) => ({ kind: 'clock.wall', value: i }));
  const copy = log.map((r) => ({ ...r }));
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    consume(compareLogs(log, copy) === undefined ? 1 : 0);
    const ns = Number(process.hrtime.bigint() - start) / length;
    if (round > 0 && ns < best) best = ns;
  }
  return best;
}
const compareShort = compareCost(N);
const compareLong = compareCost(4 * N);
const compareGrowth = compareLong / compareShort;

const fmt = (row) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      typeof v === 'number' ? (k.endsWith('×') ? `${v.toFixed(2)}×` : v.toFixed(1)) : v,
    ]),
  );
console.log(
  `@trace/nondet bench (node ${process.version}; a fresh recording or replay of ${N} draws per round; best of ${ROUNDS - 1} rounds)`,
);
console.log('\nCost per draw, recording and replaying, against the direct platform call:');
console.table(rows.map(fmt));
console.log('\nScoped globals (withGlobals(live(), …)) against the direct call:');
console.table(scopedRows.map(fmt));

const worstRecord = Math.max(...results.record);
const worstReplay = Math.max(...results.replay);
const worstScoped = Math.max(...results.scoped);
const targets = [
  [`recording: under 1 µs per draw (worst kind ${worstRecord.toFixed(0)} ns)`, worstRecord < 1000],
  [`replaying: under 1 µs per draw (worst kind ${worstReplay.toFixed(0)} ns)`, worstReplay < 1000],
  [
    `scoped globals: no more than 5× the direct call (worst ${worstScoped.toFixed(2)}×)`,
    worstScoped <= 5,
  ],
  [
    `compareLogs: linear, per-draw cost on a 4× longer log no more than 2× (${compareGrowth.toFixed(2)}×)`,
    compareGrowth <= 2,
  ],
];
console.log(
  `\ncompareLogs of equal logs: ${compareShort.toFixed(1)} ns per draw at ${N} draws, ${compareLong.toFixed(1)} ns at ${4 * N} (${compareGrowth.toFixed(2)}×)`,
);
console.log('\nTargets:');
for (const [label, met] of targets) console.log(`  ${met ? 'met    ' : 'NOT MET'}  ${label}`);
if (sink === -1) console.log(sink);
