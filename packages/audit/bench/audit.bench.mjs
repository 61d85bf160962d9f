// Benchmarks for @trace/audit. Runs the BUILT package (`pnpm build` first) and prints each figure
// beside a baseline measured in the same run, and each target with whether it was met.
//
//   append:      chained+hashed appends (fsync off) vs a plain JSONL appender doing the same
//                batching with no hashing.                 targets: ratio >= 0.5x, >= 100,000/s
//   verify:      MB/s over a large valid log, vs a raw read of the same bytes.   target >= 100 MB/s
//   readRecent:  readRecent(200) on the large log, vs reading the whole file.    target < 50 ms
//
// Set AUDIT_BENCH_MB to change the large log's size (default 1024 MB).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  canonicalJson,
  generateCheckpointKeys,
  openAuditLog,
  readRecent,
  verifyAuditLog,
} from '../dist/index.js';

const APPENDS = 200_000;
const BATCH = 1000;
const BIG_MB = Number(process.env.AUDIT_BENCH_MB ?? 1024);
const root = mkdtempSync(join(tmpdir(), 'trace-audit-bench-'));
const results = [];

function report(name, value, unit, target, met, extra = '') {
  results.push({ name, met });
  console.log(
    `${name.padEnd(44)} ${value.padStart(14)} ${unit.padEnd(10)} target ${target.padEnd(10)} ${met ? 'MET' : 'NOT MET'}${extra ? `  (${extra})` : ''}`,
  );
}

const payloadFor = (i) => ({
  tool: 'search',
  status: 'ok',
  durationMs: i % 97,
  fromScript: false,
  iteration: i % 50,
});

/** The writer under test: hashed, chained, canonical; fsync off. */
async function appendChained(dir) {
  const log = await openAuditLog(dir, { durability: 'none' });
  const t0 = performance.now();
  for (let i = 0; i < APPENDS; i += BATCH) {
    const batch = [];
    for (let j = i; j < i + BATCH; j++)
      batch.push(log.toolCall(payloadFor(j), { session: 'bench' }));
    await Promise.all(batch);
  }
  const ms = performance.now() - t0;
  await log.close();
  return ms;
}

/** Baseline: the same entries as JSONL through the same promise-per-append, batched-write shape, without hashing. */
async function appendPlain(dir) {
  const handle = await open(join(dir, 'plain.jsonl'), 'a');
  let queue = [];
  let writing = false;
  let seq = 0;
  const drain = async () => {
    if (writing) return;
    writing = true;
    while (queue.length > 0) {
      const items = queue;
      queue = [];
      await handle.write(Buffer.from(items.map((item) => item.line).join('')));
      for (const item of items) item.resolve(item.entry);
    }
    writing = false;
  };
  const append = (type, payload, session) =>
    new Promise((resolve) => {
      seq++;
      const entry = {
        v: 1,
        seq,
        ts: new Date().toISOString(),
        type,
        session,
        payload,
        prev: '',
        hash: '',
      };
      queue.push({ line: `${JSON.stringify(entry)}\n`, entry, resolve });
      void drain();
    });
  const t0 = performance.now();
  for (let i = 0; i < APPENDS; i += BATCH) {
    const batch = [];
    for (let j = i; j < i + BATCH; j++) batch.push(append('tool_call', payloadFor(j), 'bench'));
    await Promise.all(batch);
  }
  const ms = performance.now() - t0;
  await handle.close();
  return ms;
}

/** Writes a valid, unkeyed chain of about `mb` megabytes into one day file, in bulk. */
async function writeBigLog(dir, mb) {
  const handle = await open(join(dir, '2026-01-01.jsonl'), 'w');
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const target = mb * 1024 * 1024;
  let written = 0;
  let seq = 0;
  let prev = '0'.repeat(64);
  const filler =
    'the agent read the file, ran the tests, and compared the output with the plan; '.repeat(4);
  while (written < target) {
    let chunk = '';
    for (let k = 0; k < 5000; k++) {
      seq++;
      const payload = {
        iteration: seq % 100,
        phase: 'observe',
        status: 'succeeded',
        startedAt: '2026-01-01T00:00:00.000Z',
        endedAt: '2026-01-01T00:00:01.000Z',
        note: filler.slice(0, 120 + (seq % 180)),
      };
      const body = `{"payload":${canonicalJson(payload)},"prev":"${prev}","seq":${seq},"session":"s-${seq % 7}","ts":"${new Date(start + Math.floor(seq / 30)).toISOString()}","type":"phase","v":1}`;
      const hash = createHash('sha256').update(body).digest('hex');
      chunk += `{"hash":"${hash}",${body.slice(1)}\n`;
      prev = hash;
    }
    const bytes = Buffer.from(chunk);
    await handle.write(bytes);
    written += bytes.length;
  }
  await handle.close();
  return { bytes: written, entries: seq };
}

async function rawRead(path) {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let lines = 0;
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    for (let at = buffer.indexOf(10); at !== -1 && at < bytesRead; at = buffer.indexOf(10, at + 1))
      lines++;
  }
  await handle.close();
  return lines;
}

try {
  console.log(
    `@trace/audit bench — node ${process.version}, ${APPENDS.toLocaleString()} appends in batches of ${BATCH}, big log ${BIG_MB} MB\n`,
  );

  // Warm both paths once so JIT warm-up is not measured.
  await appendChained(mkdtempSync(join(root, 'warm-')));
  await appendPlain(mkdtempSync(join(root, 'warm-')));
  const plainMs = await appendPlain(mkdtempSync(join(root, 'plain-')));
  const chainedMs = await appendChained(mkdtempSync(join(root, 'chained-')));
  const chainedRate = APPENDS / (chainedMs / 1000);
  const plainRate = APPENDS / (plainMs / 1000);
  console.log(
    `baseline: plain JSONL appender (no hashing)   ${Math.round(plainRate).toLocaleString().padStart(14)} entries/s`,
  );
  report(
    'append, hashed+chained, fsync off',
    Math.round(chainedRate).toLocaleString(),
    'entries/s',
    '>= 100,000',
    chainedRate >= 100_000,
  );
  report(
    'append ratio, hashed / plain',
    (chainedRate / plainRate).toFixed(2),
    'x',
    '>= 0.5x',
    chainedRate / plainRate >= 0.5,
  );

  const bigDir = mkdtempSync(join(root, 'big-'));
  const t0 = performance.now();
  const big = await writeBigLog(bigDir, BIG_MB);
  const genMs = performance.now() - t0;
  const keys = generateCheckpointKeys();
  const closer = await openAuditLog(bigDir, { signingKey: keys.privateKey }); // signs a checkpoint of the head
  await closer.close();
  const path = join(bigDir, '2026-01-01.jsonl');
  const size = statSync(path).size;
  const mb = size / 1024 / 1024;
  console.log(
    `\nlarge log: ${mb.toFixed(0)} MB, ${big.entries.toLocaleString()} entries (generated in ${(genMs / 1000).toFixed(1)} s)${BIG_MB < 1024 ? ' — smaller than the 1 GB in the target' : ''}`,
  );

  const r0 = performance.now();
  await rawRead(path);
  const rawMs = performance.now() - r0;
  const v0 = performance.now();
  const verdict = await verifyAuditLog(bigDir, { publicKey: keys.publicKey });
  const verifyMs = performance.now() - v0;
  if (!verdict.ok) throw new Error(`the generated log did not verify: ${JSON.stringify(verdict)}`);
  const verifyMBs = mb / (verifyMs / 1000);
  console.log(
    `baseline: raw sequential read                 ${(mb / (rawMs / 1000)).toFixed(0).padStart(14)} MB/s`,
  );
  report(
    'verify (integrity + completeness)',
    verifyMBs.toFixed(0),
    'MB/s',
    '>= 100',
    verifyMBs >= 100,
    `${(verifyMBs / (mb / (rawMs / 1000))).toFixed(2)}x raw read; ${verdict.checked.toLocaleString()} entries`,
  );

  await readRecent(bigDir, 200); // warm
  const samples = [];
  for (let i = 0; i < 20; i++) {
    const s0 = performance.now();
    const recent = await readRecent(bigDir, 200);
    samples.push(performance.now() - s0);
    if (recent.length !== 200 || recent[199].seq !== big.entries)
      throw new Error('readRecent returned the wrong entries');
  }
  samples.sort((a, b) => a - b);
  const median = samples[10];
  const worst = samples[samples.length - 1];
  report(
    `readRecent(200) on ${mb.toFixed(0)} MB, median of 20`,
    median.toFixed(2),
    'ms',
    '< 50 ms',
    median < 50,
    `worst ${worst.toFixed(2)} ms; ${(rawMs / median).toFixed(0)}x faster than reading the whole file (${rawMs.toFixed(0)} ms)`,
  );
  if (global.gc) {
    global.gc();
    const before = process.memoryUsage().heapUsed;
    await readRecent(bigDir, 200);
    console.log(
      `readRecent(200) heap growth: ${((process.memoryUsage().heapUsed - before) / 1024).toFixed(0)} KB (the file is ${mb.toFixed(0)} MB)`,
    );
  }

  const missed = results.filter((r) => !r.met).length;
  console.log(`\n${results.length - missed} of ${results.length} targets met.`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
