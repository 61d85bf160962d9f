// Benchmarks for @trace/audit. Runs the BUILT package (`pnpm build` first) and prints each figure
// beside a baseline measured in the same run, and each target with whether it was met.
//
//   append, awaited:  one `await log.append(...)` after another, durability 'none', vs pino's
//                     synchronous mode writing comparable small objects.      target >= 0.5x pino
//   append, batched:  chained+hashed appends (fsync off) issued 1000 at a time vs a plain JSONL
//                     appender doing the same batching with no hashing. targets: >= 0.5x, >= 100,000/s
//   verify:           MB/s over a large valid log, vs reading the same file and SHA-256 of each
//                     line (target >= 0.4x), and vs a raw read of it (target >= 100 MB/s).
//   readRecent:       readRecent(200) on the large log, vs reading the whole file.  target < 50 ms
//
// Set AUDIT_BENCH_MB to change the large log's size (default 1024 MB) and AUDIT_BENCH_AWAITED the
// number of awaited appends per round (default 100,000).
import * as crypto from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { canonicalJson } from '@trace/spec';
import pino from 'pino';
import { generateCheckpointKeys, openAuditLog, readRecent, verifyAuditLog } from '../dist/index.js';

const APPENDS = 200_000;
const BATCH = 1000;
const AWAITED = Number(process.env.AUDIT_BENCH_AWAITED ?? 100_000);
const BIG_MB = Number(process.env.AUDIT_BENCH_MB ?? 1024);
const { createHash } = crypto;
// The fastest SHA-256 of one line this Node offers, so the baseline is not slowed by Hash objects.
const sha256Hex = crypto.hash
  ? (bytes) => crypto.hash('sha256', bytes, 'hex')
  : (bytes) => createHash('sha256').update(bytes).digest('hex');
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

/** One awaited append after another, as an agent loop logs: durability 'none' (write(2), no fsync). */
async function appendAwaited(dir, n) {
  const log = await openAuditLog(dir, { durability: 'none' });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await log.append('tool_call', payloadFor(i), { session: 'bench' });
  const ms = performance.now() - t0;
  await log.close();
  return ms;
}

/** Baseline: pino in synchronous mode (one write(2) per call), the same small objects. */
function pinoSync(dir, n) {
  const destination = pino.destination({ dest: join(dir, 'pino.log'), sync: true });
  const logger = pino(destination);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) logger.info({ session: 'bench', ...payloadFor(i) }, 'tool_call');
  const ms = performance.now() - t0;
  destination.end();
  return ms;
}

/** Runs both sides in alternation after a warm-up; returns each side's median time. */
async function alternate(rounds, a, b) {
  await a(true);
  await b(true);
  const times = { a: [], b: [] };
  for (let r = 0; r < rounds; r++) {
    times.a.push(await a(false));
    times.b.push(await b(false));
  }
  const median = (list) => list.sort((x, y) => x - y)[Math.floor(list.length / 2)];
  return { a: median(times.a), b: median(times.b) };
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

/** Baseline: read the file as verify does and SHA-256 each line (what verify must do at least). */
async function readAndHashLines(path) {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let carry = Buffer.alloc(0);
  let lines = 0;
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let from = 0;
    for (let nl = buffer.indexOf(10); nl !== -1 && nl < bytesRead; nl = buffer.indexOf(10, from)) {
      if (carry.length > 0) {
        sha256Hex(Buffer.concat([carry, buffer.subarray(0, nl)]));
        carry = Buffer.alloc(0);
      } else sha256Hex(buffer.subarray(from, nl));
      lines++;
      from = nl + 1;
    }
    carry = Buffer.concat([carry, buffer.subarray(from, bytesRead)]);
  }
  await handle.close();
  return lines;
}

/** Reference only: read the file and SHA-256 all its bytes as one stream. */
async function readAndHashAll(path) {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const hash = createHash('sha256');
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    hash.update(buffer.subarray(0, bytesRead));
  }
  await handle.close();
  return hash.digest('hex');
}

async function timed(run) {
  const t0 = performance.now();
  const result = await run();
  return { ms: performance.now() - t0, result };
}

try {
  console.log(
    `@trace/audit bench — node ${process.version}, ${AWAITED.toLocaleString()} awaited appends per round, ${APPENDS.toLocaleString()} appends in batches of ${BATCH}, big log ${BIG_MB} MB\n`,
  );

  // Awaited appends against pino's synchronous mode, alternating, median of 3 rounds each.
  const awaited = await alternate(
    3,
    (warm) => appendAwaited(mkdtempSync(join(root, 'awaited-')), warm ? AWAITED / 4 : AWAITED),
    (warm) => pinoSync(mkdtempSync(join(root, 'pino-')), warm ? AWAITED / 4 : AWAITED),
  );
  const awaitedRate = AWAITED / (awaited.a / 1000);
  const pinoRate = AWAITED / (awaited.b / 1000);
  console.log(
    `baseline: pino sync (pino.destination sync)   ${Math.round(pinoRate).toLocaleString().padStart(14)} entries/s`,
  );
  report(
    "append awaited one by one, durability 'none'",
    Math.round(awaitedRate).toLocaleString(),
    'entries/s',
    '>= 0.5x',
    awaitedRate / pinoRate >= 0.5,
    `${(awaitedRate / pinoRate).toFixed(2)}x pino sync`,
  );

  // Warm both paths once so JIT warm-up is not measured.
  await appendChained(mkdtempSync(join(root, 'warm-')));
  await appendPlain(mkdtempSync(join(root, 'warm-')));
  const plainMs = await appendPlain(mkdtempSync(join(root, 'plain-')));
  const chainedMs = await appendChained(mkdtempSync(join(root, 'chained-')));
  const chainedRate = APPENDS / (chainedMs / 1000);
  const plainRate = APPENDS / (plainMs / 1000);
  console.log(
    `\nbaseline: plain JSONL appender (no hashing)   ${Math.round(plainRate).toLocaleString().padStart(14)} entries/s`,
  );
  report(
    'append batched, hashed+chained, fsync off',
    Math.round(chainedRate).toLocaleString(),
    'entries/s',
    '>= 100,000',
    chainedRate >= 100_000,
  );
  report(
    'append batched ratio, hashed / plain',
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

  // Each side three times, alternating (the file is in the page cache after the first read); the
  // best time of each counts, so other work on the machine weighs on neither side alone.
  const best = { raw: Infinity, lines: Infinity, all: Infinity, verify: Infinity };
  let verdict;
  for (let round = 0; round < 3; round++) {
    best.raw = Math.min(best.raw, (await timed(() => rawRead(path))).ms);
    const hashed = await timed(() => readAndHashLines(path));
    if (hashed.result !== big.entries) throw new Error('the baseline split the lines wrongly');
    best.lines = Math.min(best.lines, hashed.ms);
    best.all = Math.min(best.all, (await timed(() => readAndHashAll(path))).ms);
    const verified = await timed(() => verifyAuditLog(bigDir, { publicKey: keys.publicKey }));
    best.verify = Math.min(best.verify, verified.ms);
    verdict = verified.result;
  }
  if (!verdict.ok) throw new Error(`the generated log did not verify: ${JSON.stringify(verdict)}`);
  const rate = (ms) => mb / (ms / 1000);
  const rawMs = best.raw;
  console.log(
    `baseline: raw sequential read                 ${rate(best.raw).toFixed(0).padStart(14)} MB/s`,
  );
  console.log(
    `baseline: read + SHA-256 of each line         ${rate(best.lines).toFixed(0).padStart(14)} MB/s`,
  );
  console.log(
    `reference: read + SHA-256 of all bytes        ${rate(best.all).toFixed(0).padStart(14)} MB/s`,
  );
  const verifyMBs = rate(best.verify);
  report(
    'verify (integrity + completeness)',
    verifyMBs.toFixed(0),
    'MB/s',
    '>= 100',
    verifyMBs >= 100,
    `${(verifyMBs / rate(best.raw)).toFixed(2)}x raw read; ${verdict.checked.toLocaleString()} entries`,
  );
  report(
    'verify / (read + SHA-256 of each line)',
    (best.lines / best.verify).toFixed(2),
    'x',
    '>= 0.4x',
    best.lines / best.verify >= 0.4,
    `${(best.all / best.verify).toFixed(2)}x read + SHA-256 of all bytes`,
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
