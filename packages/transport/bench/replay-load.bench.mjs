// Opening a tape for replay: open + load + index + first request, on a 2,000-exchange tape of
// realistic LLM traffic (llm-exchanges.mjs), against the code before the load-once replay
// (baseline.mjs builds it from git history), timed in the same run; and the memory a loaded tape
// holds against its body bytes. Figures printed, never asserted. Run with `pnpm bench`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '@trace/store-sqlite';
import { BASELINE_COMMIT, buildBaseline, importBaseline } from './baseline.mjs';
import { bodyBytesOf, exchangeAt } from './llm-exchanges.mjs';

const EXCHANGES = 2000;
/** Rounds of processes, each timing ROUND_TIMES loads after its warm-up. */
const ROUNDS = 7;
const ROUND_TIMES = 3;
const url = 'http://127.0.0.1:8080/v1/messages';
const dir = mkdtempSync(join(tmpdir(), 'trace-replay-load-'));
const child = fileURLToPath(new URL('./replay-load-child.mjs', import.meta.url));
const results = [];

function report(name, value, unit, target, met) {
  results.push({ name, met });
  const verdict = met === undefined ? '' : met ? '  MET' : '  NOT MET';
  console.log(
    `${name.padEnd(64)} ${String(value).padStart(12)} ${unit.padEnd(8)} ${target ?? ''}${verdict}`,
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const quartiles = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.floor((sorted.length - 1) * q)].toFixed(2);
  return `${at(0.25)}-${at(0.75)}`;
};
const run = (args) =>
  JSON.parse(execFileSync(process.execPath, ['--expose-gc', child, ...args], { encoding: 'utf8' }));

// The tape, written once by the new store and once by the old one.
const events = Array.from({ length: EXCHANGES }, (_, i) => exchangeAt(i, url));
const bodyBytes = events.reduce((n, event) => n + bodyBytesOf(event), 0);
const streamed = events.filter((e) => e.response.body.kind === 'stream').length;
const newPath = join(dir, 'new.tape.db');
{
  const store = openSqliteStore(newPath, { durability: 'normal' });
  const recorder = store.record({ id: 'run' });
  for (const event of events) recorder.append(event);
  recorder.finish();
  store.close();
}
report(
  `tape: ${EXCHANGES} exchanges (${streamed} streamed, 100 chunks each)`,
  (bodyBytes / 1e6).toFixed(2),
  'MB body',
);
report('  file written by @trace/store-sqlite', (statSync(newPath).size / 1e6).toFixed(2), 'MB');

const baseline = await buildBaseline((line) => console.log(line));
const oldPath = join(dir, 'old.tape.db');
if (baseline) {
  const { tape } = await importBaseline(baseline);
  const store = tape.openStore(oldPath, { durability: 'normal' });
  const recorder = store.record({ id: 'run' });
  for (const event of events) recorder.append(event);
  recorder.finish();
  store.close();
  report(
    `  file written by @trace/tape at ${BASELINE_COMMIT}`,
    (statSync(oldPath).size / 1e6).toFixed(2),
    'MB',
  );
}
events.length = 0;

// Each side in processes of its own (warm-up first), in alternating order round by round.
const times = { old: [], new: [] };
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  const sides = baseline ? (r % 2 === 0 ? ['old', 'new'] : ['new', 'old']) : ['new'];
  const ms = {};
  for (const side of sides) {
    const args =
      side === 'old'
        ? ['old', oldPath, String(ROUND_TIMES), baseline]
        : ['new', newPath, String(ROUND_TIMES)];
    ms[side] = median(run(args));
    times[side].push(ms[side]);
  }
  if (baseline) ratios.push(ms.old / ms.new);
}
if (baseline) {
  report(
    `open + load + index + first request, @trace at ${BASELINE_COMMIT} (median)`,
    median(times.old).toFixed(1),
    'ms',
  );
}
report('open + load + index + first request, now (median)', median(times.new).toFixed(1), 'ms');
if (baseline) {
  const ratio = median(times.old) / median(times.new);
  report('  speed-up: old median / new median', ratio.toFixed(2), 'x', '>= 4x', ratio >= 4);
  report('  per-round old / new, quartiles', quartiles(ratios), 'x');
}

// Memory, each side measured in a fresh process.
const now = run(['memory-new', newPath]);
const held = now.tape / bodyBytes;
report('memory held by the loaded tape, now', (now.tape / 1e6).toFixed(2), 'MB');
report('  held / body bytes', held.toFixed(2), 'x', '<= 1.2x', held <= 1.2);
report('  the replay index beside it', (now.index / 1e6).toFixed(2), 'MB');
report(
  `  tape and index once all ${now.matched} requests were replayed`,
  (now.replayed / 1e6).toFixed(2),
  'MB',
);
if (baseline) {
  const before = run(['memory-old', oldPath, baseline]);
  report(
    `memory held by the loaded tape, @trace at ${BASELINE_COMMIT}`,
    (before.tape / 1e6).toFixed(2),
    'MB',
  );
  report('  held / body bytes', (before.tape / bodyBytes).toFixed(2), 'x');
  report('  the replay index beside it', (before.index / 1e6).toFixed(2), 'MB');
  report(
    `  tape and index once all ${before.matched} requests were replayed`,
    (before.replayed / 1e6).toFixed(2),
    'MB',
  );
  rmSync(baseline, { recursive: true, force: true });
}

rmSync(dir, { recursive: true, force: true });
const missed = results.filter((r) => r.met === false);
console.log(
  missed.length === 0
    ? '\nall targets met'
    : `\n${missed.length} target(s) not met: ${missed.map((r) => r.name.trim()).join('; ')}`,
);
