// `trace ls` on a store of 1,000 tapes and `trace show` on a tape of 10,000 exchanges: time from
// starting the binary to its first line printed, against `node -e ""` (a bare Node start) measured
// in the same run. Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '@trace/store-sqlite';
import { Tape } from '@trace/tape';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trace-cli-bench-'));
const body = (i) =>
  new TextEncoder().encode(
    JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `hello ${i}` }] }),
  );

function exchange(i) {
  return {
    type: 'exchange',
    request: {
      method: 'POST',
      url: 'https://api.example.test/v1/messages',
      headers: [['content-type', 'application/json']],
      body: body(i),
    },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [],
      body: { kind: 'bytes', bytes: body(-i) },
    },
  };
}

const many = join(dir, 'many.tape.db');
const store = openSqliteStore(many, { durability: 'none' });
for (let t = 0; t < 1000; t++) {
  const tape = Tape.create({ id: `run-${t}` });
  for (let i = 0; i < 3; i++) tape.append(exchange(t * 3 + i));
  store.save(tape);
}
store.close();
const long = join(dir, 'long.tape.db');
const longStore = openSqliteStore(long, { durability: 'none' });
const tape = Tape.create({ id: 'long' });
for (let i = 0; i < 10_000; i++) tape.append(exchange(i));
longStore.save(tape);
longStore.close();

function firstLine(args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let first;
    child.stdout.on('data', () => {
      first ??= performance.now() - start;
    });
    child.on('error', reject);
    child.on('close', () =>
      resolve({ first: first ?? performance.now() - start, total: performance.now() - start }),
    );
  });
}

async function median(args, runs = 7) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await firstLine(args));
  const mid = (key) => results.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs / 2)];
  return { first: mid('first'), total: mid('total') };
}

const baseline = await median(['-e', 'console.log(1)']);
const ls = await median([bin, 'ls', many]);
const show = await median([bin, 'show', long, 'long']);
const fmt = (ms) => `${ms.toFixed(0)} ms`;
console.log(`node start to first line (baseline)        ${fmt(baseline.first)}`);
console.log(
  `trace ls, 1,000 tapes: first line          ${fmt(ls.first)}  (${(ls.first / baseline.first).toFixed(1)}× baseline), all ${fmt(ls.total)}`,
);
console.log(
  `trace show, 10,000 exchanges: first line   ${fmt(show.first)}  (${(show.first / baseline.first).toFixed(1)}× baseline), all ${fmt(show.total)}`,
);
rmSync(dir, { recursive: true, force: true });
