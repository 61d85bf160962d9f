// Format 7 (blobs in chunks, what each write adds compressed together in packs, streams kept
// whole) against format 5 (a blob per body and per stream chunk, as the release before format 6
// stored them), both measured in this run: figures printed, never asserted. The format-5 store is
// built from commit 5f0a2fa (the last before format 6). Times are wall-clock, in rounds that
// alternate which format goes first; a ratio is the median of the rounds' ratios (CPU time is
// printed beside it: it counts the collector's threads too, which wall-clock time overlaps).
//   node --expose-gc bench/chunks.bench.mjs [--quick]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tape } from '@trace/tape';
import { printFigure } from '@trace/test-utils';
import { buildAt, importBuilt } from '../../transport/bench/build-at.mjs';
import { openSqliteStore } from '../dist/index.js';
import { bulkTraffic, chatTraffic, conversation, wholeBodies } from './chat-traffic.mjs';

const PREVIOUS = '5f0a2fa';
const quick = process.argv.includes('--quick');
const dir = mkdtempSync(join(tmpdir(), 'trace-chunks-bench-'));
const require = createRequire(import.meta.url);
const figure = (name, value, unit, target, met) => printFigure({ name, value, unit, target, met });

const old = buildAt(
  PREVIOUS,
  { spec: [], tape: ['spec'], 'store-sqlite': ['spec', 'tape'] },
  {
    links: {
      'store-sqlite': { 'better-sqlite3': join(require.resolve('better-sqlite3'), '../..') },
    },
    entries: { tape: ['src/backend.ts'] },
    say: (line) => console.log(`format 5 build ${line}`),
  },
);
if (old === undefined) process.exit(0);
const v5 = await importBuilt(old, ['tape', 'store-sqlite']);
const layouts = {
  'format 5': { Tape: v5.tape.Tape, open: v5['store-sqlite'].openSqliteStore },
  'format 7': { Tape, open: openSqliteStore },
};
const names = Object.keys(layouts);

/** Saves `tapes` into a new file of `layout` and returns its size once closed. */
function fileWith(layout, name, tapes) {
  const path = join(dir, `${name}-${layout.replace(' ', '')}.tape.db`);
  const store = layouts[layout].open(path);
  for (const tape of tapes) store.save(tape);
  store.close();
  return statSync(path).size;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Runs `work(layout, round)` (which returns { wall, cpu } in ms) for both layouts in `rounds`
 * rounds, alternating which goes first; returns each layout's medians and the median ratios.
 */
function compare(rounds, work) {
  const times = Object.fromEntries(names.map((name) => [name, { wall: [], cpu: [] }]));
  const ratios = { wall: [], cpu: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    const got = {};
    for (const name of order) {
      globalThis.gc?.();
      got[name] = work(name, round);
      times[name].wall.push(got[name].wall);
      times[name].cpu.push(got[name].cpu);
    }
    for (const kind of ['wall', 'cpu'])
      ratios[kind].push(got['format 7'][kind] / got['format 5'][kind]);
  }
  return {
    wall: Object.fromEntries(names.map((name) => [name, median(times[name].wall)])),
    cpu: Object.fromEntries(names.map((name) => [name, median(times[name].cpu)])),
    ratio: { wall: median(ratios.wall), cpu: median(ratios.cpu) },
  };
}

/** Times `fn` in wall-clock and CPU milliseconds. */
function timed(fn) {
  const cpu = cpuMs();
  const wall = process.hrtime.bigint();
  fn();
  return { wall: Number(process.hrtime.bigint() - wall) / 1e6, cpu: cpuMs() - cpu };
}

/** Prints a comparison: each layout's median per `per` items, and the ratio against its target. */
function report(title, result, per, unit, scale = 1) {
  for (const name of names) {
    figure(`${title}: ${name} (median)`, ((result.wall[name] * scale) / per).toFixed(1), unit);
  }
  figure(
    `${title}: format 7 / format 5, CPU time (median of rounds)`,
    result.ratio.cpu.toFixed(2),
    'x',
  );
  figure(
    `${title}: format 7 / format 5 (median of rounds)`,
    result.ratio.wall.toFixed(2),
    'x',
    '<= 1.20',
    result.ratio.wall <= 1.2,
  );
}

try {
  console.log(
    '1. A 50-turn conversation in each provider shape (Anthropic and OpenAI), bytes on disk',
  );
  for (const turns of [10, 25, 50]) {
    const made = {};
    for (const layout of names) {
      const a = conversation(layouts[layout].Tape, 'anthropic', turns, 1);
      const o = conversation(layouts[layout].Tape, 'openai', turns, 2);
      made[layout] = {
        size: fileWith(layout, `chat-${turns}`, [a.tape, o.tape]),
        unique: a.unique + o.unique,
        text: a.text + o.text,
        whole: wholeBodies(a.tape) + wholeBodies(o.tape),
      };
    }
    const { unique, whole, text } = made['format 7'];
    const last = turns === 50;
    figure(`turn ${turns}: the new text (prompt, tools, each turn's new text)`, text, 'B');
    figure(`turn ${turns}: unique traffic (new messages, responses as received)`, unique, 'B');
    figure(
      `turn ${turns}: whole bodies (what HAR, nock keep) / new text`,
      (whole / text).toFixed(1),
      'x',
    );
    figure(
      `turn ${turns}: format 5 file / new text`,
      (made['format 5'].size / text).toFixed(2),
      'x',
    );
    const ratio = made['format 7'].size / text;
    figure(
      `turn ${turns}: format 7 file / new text`,
      ratio.toFixed(2),
      'x',
      last ? '<= 2.00' : undefined,
      last ? ratio <= 2 : undefined,
    );
    figure(
      `turn ${turns}: format 7 file / unique traffic`,
      (made['format 7'].size / unique).toFixed(2),
      'x',
    );
  }

  const EXCHANGES = quick ? 2000 : 10_000;
  const ROUNDS = quick ? 3 : 5;
  console.log(`2. ${EXCHANGES} exchanges of chat traffic: recording, and loading for replay`);
  {
    const events = chatTraffic(Tape, EXCHANGES);
    const sizes = {};
    const records = compare(ROUNDS, (layout, round) => {
      const path = join(dir, `traffic-${round}-${layout.replace(' ', '')}.tape.db`);
      const store = layouts[layout].open(path, { durability: 'normal' });
      const time = timed(() => {
        const recorder = store.record({ id: 'traffic' });
        for (const event of events) recorder.append(event);
        recorder.finish();
      });
      store.close();
      sizes[layout] = statSync(path).size;
      return time;
    });
    // Loading each file the recording rounds wrote, in rounds of its own.
    const load = compare(ROUNDS, (layout, round) => {
      const path = join(dir, `traffic-${round}-${layout.replace(' ', '')}.tape.db`);
      const reader = layouts[layout].open(path, { readonly: true });
      const time = timed(() => reader.load('traffic'));
      reader.close();
      return time;
    });
    for (const layout of names) figure(`${layout}: file`, sizes[layout], 'B');
    report('recording, per exchange', records, EXCHANGES, 'µs', 1000);
    report('load for replay, per request', load, EXCHANGES, 'µs', 1000);
    // The default durability ('full': a flush to disk per append), on the first 500 exchanges.
    const DURABLE = quick ? 200 : 500;
    const durable = compare(ROUNDS, (layout, round) => {
      const path = join(dir, `durable-${round}-${layout.replace(' ', '')}.tape.db`);
      const store = layouts[layout].open(path);
      const time = timed(() => {
        const recorder = store.record({ id: 'durable' });
        for (const event of events.slice(0, DURABLE)) recorder.append(event);
        recorder.finish();
      });
      store.close();
      return time;
    });
    report('recording with durability full, per exchange', durable, DURABLE, 'µs', 1000);
  }

  const MEGABYTES = quick ? 20 : 100;
  console.log(`3. Open and verify a store of ${MEGABYTES} MB of recorded traffic`);
  {
    const events = bulkTraffic(Tape, MEGABYTES * 1024 * 1024);
    const paths = {};
    for (const layout of names) {
      paths[layout] = join(dir, `bulk-${layout.replace(' ', '')}.tape.db`);
      const store = layouts[layout].open(paths[layout], { durability: 'normal' });
      const recorder = store.record({ id: 'bulk' });
      for (const event of events) recorder.append(event);
      recorder.finish();
      store.close();
      figure(`${layout}: file`, statSync(paths[layout]).size, 'B');
    }
    const verify = compare(ROUNDS, (layout) =>
      timed(() => {
        const store = layouts[layout].open(paths[layout], { readonly: true });
        const result = store.verify();
        store.close();
        if (!result.ok) {
          throw new Error(`${layout} did not verify: ${JSON.stringify(result.problems[0])}`);
        }
      }),
    );
    report('open + verify', verify, 1, 'ms');
  }
} finally {
  if (process.env.KEEP) console.log('kept', dir);
  else rmSync(dir, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
