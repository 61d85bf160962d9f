// @trace/store-sqlite benchmarks: figures printed, never asserted. Run with `pnpm bench` (after a build).

import { execFileSync } from 'node:child_process';
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
import { Tape } from '@trace/tape';
import { jsonExchange, printFigure, seededBytes } from '@trace/test-utils';
import { openSqliteStore } from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'trace-store-sqlite-bench-'));
const results = [];

const report = (name, value, unit, target, met) =>
  results.push(printFigure({ name, value, unit, target, met }));

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
    const store = openSqliteStore(path, { durability });
    const recorder = store.record();
    const events = Array.from({ length: count }, (_, i) =>
      jsonExchange(
        seededBytes(size / 2, i),
        seededBytes(size / 2, i + 1e6),
        `http://127.0.0.1:8080/v1/messages?i=${i}`,
      ),
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
  const store = openSqliteStore(path, { durability: 'normal' });
  const tape = Tape.create({ id: 'big' });
  for (let i = 0; i < 10_000; i++)
    tape.append(
      jsonExchange(
        seededBytes(5 * 1024, i),
        seededBytes(5 * 1024, i + 1e6),
        `http://127.0.0.1:8080/v1/messages?i=${i}`,
      ),
    );
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
