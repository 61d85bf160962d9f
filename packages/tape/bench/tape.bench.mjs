// @trace/tape benchmarks: figures printed, never asserted. Run with `pnpm bench` (after a build).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintEvents, openStore, Tape } from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trace-tape-bench-'));
const results = [];

function bodyOf(size, seed) {
  const bytes = new Uint8Array(size);
  let x = (seed * 2654435761 + 1) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0; // 32-bit LCG: every body distinct
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function exchange(requestBody, responseBody, i) {
  return {
    type: 'exchange',
    request: {
      method: 'POST',
      url: `http://127.0.0.1:8080/v1/messages?i=${i}`,
      headers: [['content-type', 'application/json']],
      body: requestBody,
    },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [['content-type', 'application/json']],
      body: { kind: 'bytes', bytes: responseBody },
    },
  };
}

/** Best of `rounds` timings of fn, in ms. */
function best(rounds, fn) {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return min;
}

function report(name, value, unit, target, met) {
  results.push({ name, value, unit, target, met });
  const verdict = met === undefined ? '' : met ? '  MET' : '  NOT MET';
  console.log(
    `${name.padEnd(58)} ${String(value).padStart(12)} ${unit.padEnd(12)} ${target ?? ''}${verdict}`,
  );
}

// 1. Fingerprint throughput against raw SHA-256 over the same bytes.
{
  const events = Array.from({ length: 400 }, (_, i) =>
    exchange(bodyOf(64 * 1024, i), bodyOf(64 * 1024, i + 1e6), i),
  );
  const buffers = events.flatMap((e) => [e.request.body, e.response.body.bytes]);
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const raw = best(5, () => {
    const hash = createHash('sha256');
    for (const b of buffers) hash.update(b);
    hash.digest();
  });
  const fingerprint = best(5, () => fingerprintEvents(events));
  const inMemory = best(5, () => {
    const tape = Tape.create();
    for (const e of events) tape.append(e);
    return tape.fingerprint;
  });
  const mbps = (ms) => (total / 1024 / 1024 / (ms / 1000)).toFixed(0);
  report('raw SHA-256 over the body bytes (baseline)', mbps(raw), 'MB/s');
  report('fingerprintEvents (validate, encode, digest, chain)', mbps(fingerprint), 'MB/s');
  report(
    'fingerprint throughput / raw SHA-256',
    (raw / fingerprint).toFixed(2),
    'x',
    '>= 0.70x',
    raw / fingerprint >= 0.7,
  );
  // Appending defers the hashing; reading the fingerprint at the end does it, so both are timed.
  report(
    'Tape.append of every event, then its fingerprint (copies every body)',
    mbps(inMemory),
    'MB/s',
  );
  report('Tape.append + fingerprint throughput / raw SHA-256', (raw / inMemory).toFixed(2), 'x');
}

// 2. Durable appends through a recorder, for 1 KB and 100 KB exchanges. The floor of a 'full'
//    append is one flush to this disk, measured first: a plain write + fdatasync of 1 KB.
{
  const fd = openSync(join(dir, 'fsync-floor.bin'), 'w');
  const block = Buffer.alloc(1024, 1);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 2000; i++) {
    writeSync(fd, block);
    fdatasyncSync(fd);
  }
  const per = Number(process.hrtime.bigint() - t0) / 1e6 / 2000;
  closeSync(fd);
  report(
    'write + fdatasync of 1 KB on this disk (floor for durability full)',
    per.toFixed(4),
    'ms',
  );
}
for (const durability of ['normal', 'full']) {
  for (const size of [1024, 100 * 1024]) {
    const count = size === 1024 ? 5000 : 500;
    const path = join(dir, `append-${durability}-${size}.tape.db`);
    const store = openStore(path, { durability });
    const recorder = store.record();
    const events = Array.from({ length: count }, (_, i) =>
      exchange(bodyOf(size / 2, i), bodyOf(size / 2, i + 1e6), i),
    );
    const t0 = process.hrtime.bigint();
    for (const e of events) recorder.append(e);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    recorder.finish();
    store.close();
    const per = ms / count;
    const label = `append one ${size / 1024} KB exchange, durability '${durability}'`;
    if (size === 1024) report(label, per.toFixed(4), 'ms', '<= 0.2 ms', per <= 0.2);
    else report(label, per.toFixed(4), 'ms');
  }
}

// 3. Open and fully verify a 10,000-exchange, ~100 MB tape; peak memory measured in a fresh process.
{
  const path = join(dir, 'verify-100mb.tape.db');
  const store = openStore(path, { durability: 'normal' });
  const tape = Tape.create({ id: 'big' });
  for (let i = 0; i < 10_000; i++)
    tape.append(exchange(bodyOf(5 * 1024, i), bodyOf(5 * 1024, i + 1e6), i));
  store.save(tape);
  store.close();
  const size = statSync(path).size;
  report(
    'tape for the verify benchmark: exchanges / size',
    `10000 / ${(size / 1e6).toFixed(0)}`,
    'MB',
  );
  const child = fileURLToPath(new URL('./verify-child.mjs', import.meta.url));
  for (const mode of ['verify', 'load']) {
    const out = JSON.parse(
      execFileSync(process.execPath, [child, path, mode], { encoding: 'utf8' }),
    );
    if (mode === 'verify') {
      if (!out.ok) throw new Error('verify failed on the benchmark tape');
      report(
        'open + verify (every blob re-hashed, chain recomputed)',
        out.ms.toFixed(0),
        'ms',
        '< 2000 ms',
        out.ms < 2000,
      );
      report(
        '  peak RSS of that process (baseline: empty node)',
        `${out.peakMb.toFixed(0)} (${out.baselineMb.toFixed(0)})`,
        'MB',
      );
    } else {
      report('open + load into memory (decode, re-chain, compare)', out.ms.toFixed(0), 'ms');
      report('  peak RSS of that process', out.peakMb.toFixed(0), 'MB');
    }
  }
}

rmSync(dir, { recursive: true, force: true });
const missed = results.filter((r) => r.met === false);
console.log(
  missed.length === 0
    ? '\nall targets met'
    : `\n${missed.length} target(s) not met: ${missed.map((r) => r.name).join('; ')}`,
);
