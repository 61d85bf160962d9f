// A real separate process that writes to an audit log, for the crash and multi-process tests.
// Usage: node child-writer.mjs <dir> <mode> ; settings come from the environment.
//   mode "loop":  append forever (until killed), printing "ready" once the first entry is written.
//   mode "batch": append AUDIT_COUNT entries, close, print a JSON result line, exit.
//   mode "efbig": run under `ulimit -f`; one append fails part-way through its write.
//   mode "linger": append one entry, print "appended", wait AUDIT_LINGER_MS, exit without close.
//   mode "reopen": open (repairing what it finds), close at once, print how the close went.
//   mode "ack":    append forever, one awaited append at a time, printing each seq once it resolves.
//   mode "burst":  append AUDIT_COUNT entries issued together, print "appended", close, exit.
//   mode "idle":   append one entry, print "appended", wait AUDIT_LINGER_MS, then return: no
//                  close, no exit call. The process ends only if nothing of the log keeps it alive.
import { openAuditLog } from '../../dist/index.js';

const [dir, mode] = process.argv.slice(2);
const options = {
  key: process.env.AUDIT_KEY,
  signingKey: process.env.AUDIT_SIGNING_KEY,
  durability: process.env.AUDIT_DURABILITY ?? 'none',
  lockTimeoutMs: Number(process.env.AUDIT_LOCK_TIMEOUT_MS ?? 0),
  ...(process.env.AUDIT_FSYNC_INTERVAL_MS
    ? { fsyncIntervalMs: Number(process.env.AUDIT_FSYNC_INTERVAL_MS) }
    : {}),
  ...(process.env.AUDIT_CHECKPOINT_EVERY
    ? { checkpointEveryEntries: Number(process.env.AUDIT_CHECKPOINT_EVERY) }
    : {}),
  ...(process.env.AUDIT_CHECKPOINT_INTERVAL_MS
    ? { checkpointIntervalMs: Number(process.env.AUDIT_CHECKPOINT_INTERVAL_MS) }
    : {}),
};

let log;
try {
  log = await openAuditLog(dir, options);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, code: error.code ?? null, message: error.message, repairs: error.details?.repairs ?? null })}\n`,
  );
  process.exit(0);
}

if (mode === 'loop') {
  const repaired = log.repairs.length;
  await log.append('tick', { i: -1, repaired, pid: process.pid });
  process.stdout.write('ready\n');
  // Keep one batch being written while the next is prepared, with entries of up to ~8 KB, so
  // the disk write is in progress most of the time and a kill often lands inside it.
  let previous = Promise.resolve();
  for (let i = 0; ; i++) {
    const batch = [];
    for (let j = 0; j < 200; j++)
      batch.push(
        log.append('tick', {
          i,
          j,
          pad: 'x'.repeat((i * 131 + j * 977) % Number(process.env.AUDIT_PAD ?? 8000)),
        }),
      );
    await previous;
    previous = Promise.all(batch);
  }
} else if (mode === 'ack') {
  // Each seq is printed only after its append resolved: the parent may kill at any moment and
  // then expects every printed seq in the log.
  // Each write is awaited: with durability 'none' an append resolves without I/O, and a loop of
  // nothing but resolved promises would never let the event loop flush stdout once the pipe is
  // full (the parent reading slowly), so the acknowledgements would stop reaching the parent.
  for (let i = 0; ; i++) {
    const entry = await log.append('ack', { i, pad: 'p'.repeat(i % 300) });
    await new Promise((resolve) => process.stdout.write(`${entry.seq}\n`, resolve));
  }
} else if (mode === 'burst') {
  const count = Number(process.env.AUDIT_COUNT ?? 50);
  await Promise.all(Array.from({ length: count }, (_, i) => log.append('burst', { i })));
  process.stdout.write('appended\n');
  await log.close();
} else if (mode === 'idle') {
  await log.append('idle', { pid: process.pid });
  process.stdout.write('appended\n');
  // Stay a while (on a timer of its own) so the log's timers get their turn, then just return.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.AUDIT_LINGER_MS ?? 0)));
} else if (mode === 'linger') {
  // Whatever reaches the disk here was synced by the durability mode, not by close().
  await log.append('linger', { pid: process.pid });
  process.stdout.write('appended\n');
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.AUDIT_LINGER_MS ?? 0)));
  process.exit(0);
} else if (mode === 'reopen') {
  let closed = 'ok';
  try {
    await log.close();
  } catch (error) {
    closed = error.code ?? String(error);
  }
  process.stdout.write(`${JSON.stringify({ ok: true, repairs: log.repairs.length, closed })}\n`);
} else if (mode === 'efbig') {
  // Run under a file-size limit: the big entry's write stops part-way (EFBIG), for real.
  const outcome = [];
  for (let i = 0; i < 5; i++) outcome.push((await log.append('small', { i })).seq);
  try {
    await log.append('big', { blob: 'b'.repeat(200_000) });
    outcome.push('big written');
  } catch (error) {
    outcome.push(error.code);
  }
  // AUDIT_THEN=close: close straight after the failure; the close must clean up too.
  if (process.env.AUDIT_THEN !== 'close') outcome.push((await log.append('small', { i: 5 })).seq);
  await log.close();
  process.stdout.write(`${JSON.stringify({ ok: true, outcome })}\n`);
} else {
  const count = Number(process.env.AUDIT_COUNT ?? 10);
  const seqs = [];
  for (let i = 0; i < count; i++) {
    const entry = await log.append('write', { pid: process.pid, i });
    seqs.push(entry.seq);
  }
  await log.close();
  process.stdout.write(`${JSON.stringify({ ok: true, pid: process.pid, seqs })}\n`);
}
