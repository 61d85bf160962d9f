import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { appendFile, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys, tempDir } from './__tests__/helpers.js';
import { openAuditLog, readEntries, verifyAuditLog } from './index.js';

// These tests run real child processes against the built package (run `tsup` first).
const CHILD = fileURLToPath(new URL('./__tests__/child-writer.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const KEY = 'crash-test-key-'.padEnd(32, 'q');

function start(
  dir: string,
  mode: 'loop' | 'batch' | 'ack' | 'idle',
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, [CHILD, dir, mode], {
    env: {
      ...process.env,
      AUDIT_KEY: KEY,
      AUDIT_SIGNING_KEY: keys.privateKey,
      AUDIT_PAD: '40000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
    child.on('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`child exited (${code}) without output: ${err}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** The entries of a log, after a writer has opened it once (cutting off a torn last line). */
async function* readEntriesAfterRepair(dir: string) {
  const log = await openAuditLog(dir, { key: KEY, signingKey: keys.privateKey });
  await log.close();
  yield* readEntries(dir);
}

/** Entry lines in the log's day files so far (the checkpoints file left out). */
async function linesWritten(dir: string): Promise<number> {
  let lines = 0;
  for (const name of await readdir(dir)) {
    if (!/^\d{4}-\d\d-\d\d\.jsonl$/.test(name)) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    lines += text.split('\n').filter((line) => line.length > 0).length;
  }
  return lines;
}

describe('real processes', () => {
  beforeAll(() => {
    if (!existsSync(BUILT))
      throw new Error(
        `${BUILT} is missing: build the package first (npx tsup); these tests run the built output.`,
      );
  });
  it('crash: SIGKILL mid-append leaves at most a torn last line; repair fixes it; the chain resumes', async () => {
    const dir = await tempDir('trace-audit-crash-');
    let torn = 0;
    let lastSeq = 0;
    for (let round = 0; round < 20; round++) {
      const child = start(dir, 'loop');
      expect(await firstLine(child)).toBe('ready');
      // Let it write for a moment, then kill it without warning.
      await new Promise((resolve) => setTimeout(resolve, 20 + ((round * 37) % 100)));
      child.kill('SIGKILL');
      await exited(child);
      expect(child.signalCode).toBe('SIGKILL');

      const report = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
      // Integrity always holds; the only thing a crash may leave is a torn last line.
      expect(report.integrity, JSON.stringify(report)).toEqual({ ok: true });
      expect(report.crashArtefacts.length).toBeLessThanOrEqual(1);
      if (report.crashArtefacts.length === 1) {
        torn++;
        expect(report.crashArtefacts[0]!.file).toMatch(/^\d{4}-\d{2}-\d{2}\.jsonl$/);
      } else if (round % 4 === 3) {
        // A kill lands inside write(2) only now and then on a fast disk; a power cut does it
        // more often. Leave the same artefact by hand every fourth round so the next real
        // process has to repair it.
        await appendFile(
          join(dir, report.files[report.files.length - 1]!),
          '{"hash":"0123456789abcdef","payl',
        );
        torn++;
      }
      // Nothing covered by a checkpoint was lost; the tail since then is simply unanchored.
      expect(report.completeness.problem?.kind ?? 'none').not.toMatch(/missing|truncated/);
      expect(report.head!.seq).toBeGreaterThan(lastSeq);
      lastSeq = report.head!.seq;
    }
    // The next writer repairs what the last kill left, logs the repair, and continues the chain.
    const log = await openAuditLog(dir, { key: KEY, signingKey: keys.privateKey });
    const next = await log.append('after', {});
    await log.close();
    expect(next.seq).toBeGreaterThan(lastSeq);
    const final = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
    expect(final).toMatchObject({ ok: true, crashArtefacts: [] });
    const repairs = [];
    for await (const entry of readEntries(dir))
      if (entry.type === 'audit.repair') repairs.push(entry);
    // Every torn line seen after a kill was repaired by the next opener, and that repair is in the chain.
    expect(repairs.length).toBe(torn);
    for (const repair of repairs)
      expect(repair.payload).toMatchObject({
        reason: 'torn_last_line',
        bytes: expect.any(Number),
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
  }, 120_000);

  it("durability 'none': every append that resolved survives SIGKILL (its write(2) was done)", async () => {
    const dir = await tempDir('trace-audit-ack-');
    const acked = new Set<number>();
    for (let round = 0; round < 5; round++) {
      const child = start(dir, 'ack');
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      child.stderr!.on('data', (chunk) => (err += chunk));
      // Kill it at some moment after it has acknowledged a few hundred entries. A writer that
      // exits first fails the test with what it said, rather than leaving it to time out.
      await new Promise<void>((resolve, reject) => {
        const wait = () => {
          if (out.split('\n').length > 200 + round * 97) resolve();
          else if (child.exitCode !== null || child.signalCode !== null)
            reject(
              new Error(
                `round ${round}: the writer exited (${child.exitCode ?? child.signalCode}) after ${out.split('\n').length - 1} acknowledgements: ${err}`,
              ),
            );
          else setTimeout(wait, 2);
        };
        wait();
      });
      child.kill('SIGKILL');
      await exited(child);
      for (const line of out.split('\n').slice(0, -1)) acked.add(Number(line));
      const seqs = new Set<number>();
      for await (const entry of readEntriesAfterRepair(dir)) seqs.add(entry.seq);
      for (const seq of acked)
        expect(seqs.has(seq), `acknowledged seq ${seq} is missing`).toBe(true);
    }
    expect(acked.size).toBeGreaterThan(1000);
    expect((await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).integrity.ok).toBe(
      true,
    );
  }, 60_000);

  it('multi-process: concurrent writers never interleave or fork; losers are refused with AUDIT_LOCKED', async () => {
    const dir = await tempDir('trace-audit-multi-');
    const children = Array.from({ length: 4 }, () => start(dir, 'batch', { AUDIT_COUNT: '200' }));
    const results = (await Promise.all(children.map(firstLine))).map((line) => JSON.parse(line));
    await Promise.all(children.map(exited));
    const winners = results.filter((r) => r.ok);
    const losers = results.filter((r) => !r.ok);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    for (const loser of losers) {
      expect(loser.code).toBe('AUDIT_LOCKED');
      expect(loser.message).toMatch(/pid \d+/);
    }
    const report = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
    expect(report).toMatchObject({ ok: true, checked: winners.length * 200 });
    // Each winner's entries form one contiguous run: no interleaving.
    const pids: number[] = [];
    for await (const entry of readEntries(dir)) pids.push(entry.payload.pid as number);
    const runs = pids.filter((pid, i) => i === 0 || pids[i - 1] !== pid);
    expect(runs.length).toBe(winners.length);
  }, 60_000);

  it('multi-process with lockTimeoutMs: writers take turns and every entry lands in one chain', async () => {
    const dir = await tempDir('trace-audit-turns-');
    const children = Array.from({ length: 4 }, () =>
      start(dir, 'batch', { AUDIT_COUNT: '100', AUDIT_LOCK_TIMEOUT_MS: '30000' }),
    );
    const results = (await Promise.all(children.map(firstLine))).map((line) => JSON.parse(line));
    await Promise.all(children.map(exited));
    expect(results.every((r) => r.ok)).toBe(true);
    const allSeqs = results.flatMap((r) => r.seqs as number[]).sort((a, b) => a - b);
    expect(allSeqs).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    for (const r of results) {
      const seqs = r.seqs as number[];
      expect(seqs[seqs.length - 1]! - seqs[0]!).toBe(99); // each writer's run is contiguous
    }
    expect(await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      checked: 400,
    });
  }, 60_000);

  it.each([
    [
      'appending again',
      'append',
      [1, 2, 3, 4, 5, 'AUDIT_WRITE_FAILED', 7],
      ['small', 'small', 'small', 'small', 'small', 'audit.repair', 'small'],
    ],
    [
      'closing',
      'close',
      [1, 2, 3, 4, 5, 'AUDIT_WRITE_FAILED'],
      ['small', 'small', 'small', 'small', 'small', 'audit.repair'],
    ],
  ])(
    'a write cut short by the file-size limit fails loudly; %s cuts it off and logs it; the chain stays whole',
    async (_label, then, outcome, types) => {
      const dir = await tempDir('trace-audit-efbig-');
      // `ulimit -f 64` (64 blocks, far below the 200 KB entry) makes the kernel stop the write
      // part-way with EFBIG; SIGXFSZ is ignored so the process lives to see the error.
      const child = spawn(
        'sh',
        ['-c', `trap '' XFSZ; ulimit -f 64; exec "$0" "$@"`, process.execPath, CHILD, dir, 'efbig'],
        {
          env: {
            ...process.env,
            AUDIT_KEY: KEY,
            AUDIT_SIGNING_KEY: keys.privateKey,
            AUDIT_THEN: then as string,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const result = JSON.parse(await firstLine(child));
      await exited(child);
      // Entries 1-5 written; the big one refused; its partial bytes cut off and logged as seq 6.
      expect(result.outcome).toEqual(outcome);
      expect(await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).toMatchObject({
        ok: true,
        checked: (types as string[]).length,
        crashArtefacts: [],
      });
      const seen: string[] = [];
      let repair: Record<string, unknown> | undefined;
      for await (const entry of readEntries(dir)) {
        seen.push(entry.type);
        if (entry.type === 'audit.repair') repair = entry.payload;
      }
      expect(seen).toEqual(types);
      expect(repair).toMatchObject({ reason: 'failed_write', bytes: expect.any(Number) });
      expect(repair!.bytes as number).toBeGreaterThan(0);
    },
  );

  it('a torn-line repair that cannot be logged fails the open loudly and hands over its record', async () => {
    const dir = await tempDir('trace-audit-unlogged-');
    // A day file (today's: the child uses the real clock) already past the child's file-size
    // limit, ending in a torn line. Cutting the line shrinks the file, which the limit allows;
    // writing the repair entry after it does not (EFBIG), for real.
    const log = await openAuditLog(dir, { key: KEY, signingKey: keys.privateKey });
    for (let i = 0; i < 10; i++) await log.append('big', { i, blob: 'b'.repeat(20_000) });
    await log.close();
    const file = (await readdir(dir)).find((name) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(name))!;
    await appendFile(join(dir, file), '{"hash":"torn');
    const child = spawn(
      'sh',
      ['-c', `trap '' XFSZ; ulimit -f 64; exec "$0" "$@"`, process.execPath, CHILD, dir, 'reopen'],
      {
        env: { ...process.env, AUDIT_KEY: KEY, AUDIT_SIGNING_KEY: keys.privateKey },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const result = JSON.parse(await firstLine(child));
    await exited(child);
    // Not a clean open and close with the repair silently unrecorded.
    expect(result).toMatchObject({
      ok: false,
      code: 'AUDIT_WRITE_FAILED',
      repairs: [{ file, reason: 'torn_last_line', bytes: 13 }],
    });
    // Without the limit the log continues; the lock was released.
    const again = await openAuditLog(dir, { key: KEY, signingKey: keys.privateKey });
    expect((await again.append('n', {})).seq).toBe(11);
    await again.close();
    expect(await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      crashArtefacts: [],
    });
  });

  it('a lock left by a dead process is taken over; one held by a live process is refused', async () => {
    const dir = await tempDir('trace-audit-lock-');
    const child = spawn(process.execPath, ['-e', '0']);
    await exited(child);
    await writeFile(
      join(dir, 'writer.lock'),
      JSON.stringify({
        pid: child.pid,
        hostname: hostname(),
        token: 'dead',
        since: new Date().toISOString(),
      }),
    );
    const log = await openAuditLog(dir, {});
    const holder = JSON.parse(await readFile(join(dir, 'writer.lock'), 'utf8'));
    expect(holder.pid).toBe(process.pid);
    // A second writer in this very process is refused too: it would fork the chain.
    await expect(openAuditLog(dir, {})).rejects.toMatchObject({
      code: 'AUDIT_LOCKED',
      details: { holder: { pid: process.pid } },
    });
    await log.close();
    expect(existsSync(join(dir, 'writer.lock'))).toBe(false);
    const again = await openAuditLog(dir, {});
    await again.close();
  });

  it('a stale lock whose takeover guard a live process holds is refused (or waited for), never spun on', async () => {
    const dir = await tempDir('trace-audit-guard-');
    const dead = spawn(process.execPath, ['-e', '0']);
    await exited(dead);
    const since = new Date().toISOString();
    await writeFile(
      join(dir, 'writer.lock'),
      JSON.stringify({ pid: dead.pid, hostname: hostname(), token: 'dead', since }),
    );
    // Another (live) process is in the middle of taking the stale lock over.
    await writeFile(
      join(dir, 'writer.lock.takeover'),
      JSON.stringify({ pid: process.pid, hostname: hostname(), token: 'busy', since }),
    );
    // In a child: a writer that spins synchronously would freeze this test's worker. A child
    // that has not answered long after it should have is killed, and then fails the test.
    const child = start(dir, 'batch', { AUDIT_COUNT: '1' });
    const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const result = JSON.parse(await firstLine(child));
      expect(result).toMatchObject({ ok: false, code: 'AUDIT_LOCKED' });
    } finally {
      clearTimeout(stuck);
      child.kill('SIGKILL');
      await exited(child);
    }
    // Once the guard is gone, the stale lock is taken over as usual.
    await rm(join(dir, 'writer.lock.takeover'));
    const log = await openAuditLog(dir, {});
    expect(JSON.parse(await readFile(join(dir, 'writer.lock'), 'utf8')).pid).toBe(process.pid);
    await log.close();
  }, 60_000);

  // strace shows which files the kernel was asked to fsync; where it cannot run (no binary, no
  // ptrace), these tests are skipped rather than faked.
  const canTrace = spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0;

  /** Runs the child writer under strace; returns its first output line and the traced calls. */
  async function traced(
    dir: string,
    mode: string,
    env: Record<string, string>,
  ): Promise<{ first: string; calls: Array<{ call: string; arg: string }> }> {
    const trace = `${dir}.strace`;
    const child = spawn(
      'strace',
      [
        '-f',
        '-y',
        '-e',
        'trace=fsync,fdatasync,write',
        '-o',
        trace,
        process.execPath,
        CHILD,
        dir,
        mode,
      ],
      {
        env: {
          ...process.env,
          // io_uring would carry the fsyncs past the syscall tracer: keep them plain syscalls.
          UV_USE_IO_URING: '0',
          AUDIT_KEY: KEY,
          AUDIT_SIGNING_KEY: keys.privateKey,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const first = await firstLine(child);
    await exited(child);
    const text = await readFile(trace, 'utf8');
    await rm(trace);
    // Only the start of each call matters (it may be split by "<unfinished ...>" when threads
    // interleave): `fsync(18</dir/2026-01-01.jsonl>` or `write(1<pipe:[…]>, "appended\n"`.
    const calls = [
      ...text.matchAll(/\b(f(?:data)?sync|write)\((\d+<[^>]*>(?:, "[^"]{0,40})?)/g),
    ].map((m) => ({ call: m[1]!, arg: m[2]! }));
    return { first, calls };
  }
  const pathOf = (arg: string) => /^\d+<([^>]*)>/.exec(arg)?.[1];
  const isDayFile = (path: string | undefined) => /\/\d{4}-\d{2}-\d{2}\.jsonl$/.test(path ?? '');

  it.skipIf(!canTrace)(
    'fsyncs the directory after creating a day file or checkpoints.jsonl, so the new names survive a power cut',
    async () => {
      const dir = realpathSync(await tempDir('trace-audit-dirsync-'));
      const { first, calls } = await traced(dir, 'batch', {
        AUDIT_DURABILITY: 'entry',
        AUDIT_COUNT: '3',
      });
      expect(JSON.parse(first)).toMatchObject({ ok: true });
      const synced = calls.filter((c) => c.call !== 'write').map((c) => pathOf(c.arg));
      // Entries and the checkpoint are fsynced, and so is the directory that names them: once for
      // the new day file and once for the new checkpoints.jsonl.
      expect(synced.some(isDayFile)).toBe(true);
      expect(synced).toContain(join(dir, 'checkpoints.jsonl'));
      expect(synced.filter((path) => path === dir).length).toBeGreaterThanOrEqual(2);
    },
    60_000,
  );

  it.skipIf(!canTrace)(
    "durability 'entry' fsyncs before an append resolves; 'interval' fsyncs with no flush or close",
    async () => {
      const entryDir = realpathSync(await tempDir('trace-audit-entry-'));
      const entry = await traced(entryDir, 'linger', { AUDIT_DURABILITY: 'entry' });
      expect(entry.first).toBe('appended');
      const said = entry.calls.findIndex((c) => c.call === 'write' && c.arg.includes('"appended'));
      const synced = entry.calls.findIndex((c) => c.call !== 'write' && isDayFile(pathOf(c.arg)));
      expect(said).toBeGreaterThan(-1);
      expect(synced).toBeGreaterThan(-1);
      expect(synced).toBeLessThan(said); // the day file was fsynced before the append resolved

      // The child exits without flush() or close(): only the interval timer can have synced.
      const intervalDir = realpathSync(await tempDir('trace-audit-interval-'));
      const interval = await traced(intervalDir, 'linger', {
        AUDIT_DURABILITY: 'interval',
        AUDIT_FSYNC_INTERVAL_MS: '20',
        AUDIT_LINGER_MS: '1500',
      });
      expect(interval.first).toBe('appended');
      expect(interval.calls.some((c) => c.call !== 'write' && isDayFile(pathOf(c.arg)))).toBe(true);
    },
    60_000,
  );

  it.skipIf(!canTrace)(
    "durability 'none': appends issued together are written with one write(2)",
    async () => {
      const dir = realpathSync(await tempDir('trace-audit-burst-'));
      const { first, calls } = await traced(dir, 'burst', {
        AUDIT_DURABILITY: 'none',
        AUDIT_COUNT: '50',
      });
      expect(first).toBe('appended');
      const writes = calls.filter((c) => c.call === 'write' && isDayFile(pathOf(c.arg)));
      expect(writes).toHaveLength(1);
      expect(calls.some((c) => c.call !== 'write' && isDayFile(pathOf(c.arg)))).toBe(true); // close
      const entries = [];
      for await (const entry of readEntries(dir)) entries.push(entry);
      expect(entries.map((e) => e.payload.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    },
    60_000,
  );

  it.each([
    ['one awaited append at a time', 'ack', 50],
    ['batches of 200 appends issued together', 'loop', 64],
  ] as const)(
    'checkpointEveryEntries: SIGKILL while appending (%s) leaves at most N entries unproven',
    async (_label, mode, every) => {
      const dir = await tempDir('trace-audit-bounded-');
      for (let round = 0; round < 6; round++) {
        const child = start(dir, mode, { AUDIT_CHECKPOINT_EVERY: String(every) });
        let out = '';
        let err = '';
        child.stdout!.on('data', (chunk) => (out += chunk));
        child.stderr!.on('data', (chunk) => (err += chunk));
        // Kill after a few checkpoints' worth of entries, at a count that varies by round: 'ack'
        // prints each acknowledged seq; 'loop' writes batches, whose lines are counted in the log.
        // Counted, never timed: a loaded machine writes fewer entries in a given while.
        const target = every * 2 + ((round * 37) % every);
        const before = await linesWritten(dir);
        const enough = async () =>
          mode === 'ack'
            ? out.split('\n').length > target
            : out.includes('ready\n') && (await linesWritten(dir)) - before > target;
        await new Promise<void>((resolve, reject) => {
          const wait = async () => {
            if (await enough()) resolve();
            else if (child.exitCode !== null || child.signalCode !== null)
              reject(new Error(`round ${round}: the writer exited early: ${out} ${err}`));
            else setTimeout(wait, 2);
          };
          wait().catch(reject);
        });
        child.kill('SIGKILL');
        await exited(child);
        expect(child.signalCode).toBe('SIGKILL');
        const report = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
        expect(report.integrity, JSON.stringify(report)).toEqual({ ok: true });
        expect(report.completeness.problem?.kind ?? 'none').not.toMatch(/missing|truncated/);
        // The bound: whatever the kill interrupted, no more than N entries lack a checkpoint.
        expect(report.completeness.unanchored, report.summary).toBeLessThanOrEqual(every);
      }
      // The bound was exercised: without periodic checkpoints nothing written here (never closed)
      // would be covered by one.
      const final = await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey });
      expect(final.head!.seq).toBeGreaterThan(every * 3);
      const reasons = (await readFile(join(dir, 'checkpoints.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).reason as string);
      expect(new Set(reasons)).toEqual(new Set(['periodic']));
    },
    120_000,
  );

  it('checkpointIntervalMs: the timer anchors entries in a real process and does not keep it alive', async () => {
    const dir = await tempDir('trace-audit-idle-');
    const child = start(dir, 'idle', {
      AUDIT_CHECKPOINT_INTERVAL_MS: '25',
      AUDIT_LINGER_MS: '400',
    });
    // A process kept alive by the log is killed long after it should have ended: the test fails.
    const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      expect(await firstLine(child)).toBe('appended');
      await exited(child);
    } finally {
      clearTimeout(stuck);
    }
    // It ended by itself: no close, no exit call, and the log's timers did not hold it.
    expect(child.signalCode).toBeNull();
    expect(child.exitCode).toBe(0);
    // While it lingered, the timer signed a checkpoint of its entry.
    expect(await verifyAuditLog(dir, { key: KEY, publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      checked: 1,
      completeness: { provenThrough: 1, unanchored: 0 },
    });
  }, 60_000);

  it("removes temporary lock files left by writers killed while taking the lock, never a live writer's", async () => {
    const dir = await tempDir('trace-audit-strays-');
    const dead = spawn(process.execPath, ['-e', '0']);
    await exited(dead);
    // A live process standing in for a writer in the middle of taking the lock.
    const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const holder = (pid: number, host = hostname()) =>
        `${JSON.stringify({ pid, hostname: host, token: 'ab', since: new Date().toISOString() })}\n`;
      const old = new Date(Date.now() - 60_000);
      const strays: Array<{ name: string; content: string; old?: boolean; removed: boolean }> = [
        // Killed between writing the file and unlinking it, while taking the lock or the guard.
        {
          name: `writer.lock.${dead.pid}.0123456789abcdef.tmp`,
          content: holder(dead.pid!),
          removed: true,
        },
        {
          name: `writer.lock.takeover.${dead.pid}.0123456789abcdee.tmp`,
          content: holder(dead.pid!),
          removed: true,
        },
        // Killed while writing it: empty or cut short. The pid in the name tells whose it was.
        { name: `writer.lock.${dead.pid}.0123456789abcded.tmp`, content: '', removed: true },
        { name: `writer.lock.${dead.pid}.0123456789abcdec.tmp`, content: '{"pid":', removed: true },
        // A live writer's attempt in progress: left alone, complete or still being written...
        {
          name: `writer.lock.${alive.pid}.1123456789abcdef.tmp`,
          content: holder(alive.pid!),
          removed: false,
        },
        { name: `writer.lock.${alive.pid}.1123456789abcdee.tmp`, content: '', removed: false },
        // ...unless it has been there far longer than an attempt takes (its pid reused since).
        {
          name: `writer.lock.${alive.pid}.1123456789abcdec.tmp`,
          content: holder(alive.pid!),
          old: true,
          removed: true,
        },
        {
          name: `writer.lock.${alive.pid}.1123456789abcded.tmp`,
          content: '',
          old: true,
          removed: true,
        },
        // Another host's pids mean nothing here: only age tells.
        {
          name: `writer.lock.${dead.pid}.2123456789abcdef.tmp`,
          content: holder(dead.pid!, 'another-host'),
          removed: false,
        },
        {
          name: `writer.lock.${dead.pid}.2123456789abcdee.tmp`,
          content: holder(dead.pid!, 'another-host'),
          old: true,
          removed: true,
        },
        // Not a lock's temporary file at all.
        { name: 'writer.lock.notes.tmp', content: 'x', old: true, removed: false },
      ];
      for (const stray of strays) {
        await writeFile(join(dir, stray.name), stray.content);
        if (stray.old) await utimes(join(dir, stray.name), old, old);
      }
      const log = await openAuditLog(dir, {});
      const left = new Set(await readdir(dir));
      for (const stray of strays) expect(left.has(stray.name), stray.name).toBe(!stray.removed);
      expect(JSON.parse(await readFile(join(dir, 'writer.lock'), 'utf8')).pid).toBe(process.pid);
      await log.append('n', {});
      await log.close();
    } finally {
      alive.kill('SIGKILL');
      await exited(alive);
    }
  });

  it('a writer whose lock file is replaced stops instead of forking the chain', async () => {
    const dir = await tempDir('trace-audit-lost-');
    const log = await openAuditLog(dir, { signingKey: keys.privateKey });
    await log.append('n', {});
    await writeFile(
      join(dir, 'writer.lock'),
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        token: 'someone-else',
        since: new Date().toISOString(),
      }),
    );
    await expect(log.checkpoint()).rejects.toMatchObject({ code: 'AUDIT_LOCK_LOST' });
    await expect(log.append('n', {})).rejects.toMatchObject({ code: 'AUDIT_LOCK_LOST' });
    await log.close().catch(() => {});
  });
});
