// @trace/tape benchmarks: figures printed, never asserted. Run with `pnpm bench` (after a build).
// The SQLite store's own figures (durable appends, open + verify) are in @trace/store-sqlite.

import { createHash } from 'node:crypto';
import { jsonExchange, printFigure, seededBytes } from '@trace/test-utils';
import { fingerprintEvents, openMemoryStore, Tape } from '../dist/index.js';

const results = [];

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

const report = (name, value, unit, target, met) =>
  results.push(printFigure({ name, value, unit, target, met }));

// 1. Fingerprint throughput against raw SHA-256 over the same bytes.
{
  const events = Array.from({ length: 400 }, (_, i) =>
    jsonExchange(
      seededBytes(64 * 1024, i),
      seededBytes(64 * 1024, i + 1e6),
      `http://127.0.0.1:8080/v1/messages?i=${i}`,
    ),
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

// 2. The memory store: save, then load (every record re-chained, every blob re-hashed).
{
  const tape = Tape.create({ id: 'memory' });
  for (let i = 0; i < 2000; i++)
    tape.append(
      jsonExchange(
        seededBytes(4 * 1024, i),
        seededBytes(1024, i + 1e6),
        `http://127.0.0.1:8080/v1/messages?i=${i}`,
      ),
    );
  void tape.fingerprint;
  const store = openMemoryStore();
  store.save(tape);
  const load = best(5, () => store.load('memory'));
  report('memory store: load a 2,000-exchange, 10 MB tape', load.toFixed(1), 'ms');
}

const missed = results.filter((r) => r.met === false);
console.log(
  missed.length === 0
    ? '\nall targets met'
    : `\n${missed.length} target(s) not met: ${missed.map((r) => r.name).join('; ')}`,
);
