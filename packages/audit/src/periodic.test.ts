import { mkdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { globalScope } from '@trace/spec';
import { describe, expect, it } from 'vitest';
import { keys, tempDir } from './__tests__/helpers.js';
import { type AuditDurability, type Checkpoint, openAuditLog, verifyAuditLog } from './index.js';

async function checkpointsOf(dir: string): Promise<Checkpoint[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'checkpoints.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Checkpoint);
}

/** Polls until `done()` holds; fails (rather than hang) if it never does. */
async function eventually(done: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describe('periodic checkpoints', () => {
  it('refuses bad values, and asks for a signing key', async () => {
    const dir = await tempDir();
    for (const checkpointEveryEntries of [0, -1, 1.5, Number.NaN, '10' as never]) {
      await expect(
        openAuditLog(dir, { signingKey: keys.privateKey, checkpointEveryEntries }),
      ).rejects.toMatchObject({ code: 'AUDIT_INVALID_OPTIONS', message: /checkpointEveryEntries/ });
    }
    for (const checkpointIntervalMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      await expect(
        openAuditLog(dir, { signingKey: keys.privateKey, checkpointIntervalMs }),
      ).rejects.toMatchObject({ code: 'AUDIT_INVALID_OPTIONS', message: /checkpointIntervalMs/ });
    }
    await expect(openAuditLog(dir, { checkpointEveryEntries: 10 })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_OPTIONS',
      message: /checkpointEveryEntries needs a signingKey/,
    });
    await expect(openAuditLog(dir, { checkpointIntervalMs: 1000 })).rejects.toMatchObject({
      code: 'AUDIT_INVALID_OPTIONS',
      message: /checkpointIntervalMs needs a signingKey/,
    });
  });

  for (const durability of ['none', 'interval', 'entry'] as AuditDurability[]) {
    it(`every N entries: no entry is ever written more than N past the last checkpoint (durability '${durability}')`, async () => {
      const dir = await tempDir();
      let covered = 0;
      let widest = 0;
      const log = await openAuditLog(dir, {
        signingKey: keys.privateKey,
        durability,
        checkpointEveryEntries: 10,
        onCheckpoint: (cp) => {
          covered = cp.seq;
        },
      });
      // Listeners hear of each entry once it is written; checkpoints are reported as written.
      log.subscribe((entry) => {
        widest = Math.max(widest, entry.seq - covered);
      });
      // Issued together: the queue would write them as one batch of 95 without the bound.
      await Promise.all(Array.from({ length: 95 }, (_, i) => log.append('n', { i })));
      for (let i = 0; i < 12; i++) await log.append('one', { i });
      await log.close();
      expect(widest).toBe(10);
      const checkpoints = await checkpointsOf(dir);
      expect(checkpoints.map((cp) => [cp.reason, cp.seq])).toEqual([
        ...Array.from({ length: 10 }, (_, i) => ['periodic', (i + 1) * 10]),
        ['close', 107],
      ]);
      expect(await verifyAuditLog(dir, { publicKey: keys.publicKey })).toMatchObject({
        ok: true,
        checked: 107,
        completeness: { checkpoints: 11, provenThrough: 107, unanchored: 0 },
      });
    });
  }

  it('a reopened log whose unproven tail is already N long is anchored before anything else is written', async () => {
    const dir = await tempDir();
    const plain = await openAuditLog(dir, { signingKey: keys.privateKey });
    await plain.append('n', {});
    await plain.checkpoint();
    await plain.flush();
    // A writer without periodic checkpoints leaves 30 entries unproven (then is killed: no close).
    for (let i = 0; i < 30; i++) await plain.append('n', { i });
    await plain.flush();
    await rm(join(dir, 'writer.lock'));
    await plain.close().catch(() => undefined);
    const bounded = await openAuditLog(dir, {
      signingKey: keys.privateKey,
      checkpointEveryEntries: 5,
    });
    const next = await bounded.append('n', {});
    await bounded.close();
    expect(next.seq).toBe(32);
    expect((await checkpointsOf(dir)).map((cp) => [cp.reason, cp.seq])).toEqual([
      ['manual', 1],
      ['periodic', 31],
      ['close', 32],
    ]);
  });

  it('a checkpoint that cannot be written holds the next entries back rather than let the window grow', async () => {
    const dir = await tempDir();
    const warnings: string[] = [];
    const log = await openAuditLog(dir, {
      signingKey: keys.privateKey,
      checkpointEveryEntries: 3,
      warn: (message) => warnings.push(message),
    });
    // A directory where checkpoints.jsonl should be: the checkpoint write fails for real (EISDIR).
    await mkdir(join(dir, 'checkpoints.jsonl'));
    for (let i = 1; i <= 3; i++) expect((await log.append('n', { i })).seq).toBe(i);
    await expect(log.append('n', { i: 4 })).rejects.toMatchObject({ code: 'AUDIT_WRITE_FAILED' });
    // The third entry was written (its caller told so); its checkpoint, tried straight after it,
    // failed and was reported; the fourth tried it again and was refused.
    expect(warnings).toEqual([expect.stringMatching(/checkpoint due every 3 entries failed/)]);
    await expect(log.append('n', { i: 4 })).rejects.toMatchObject({
      code: 'AUDIT_WRITE_FAILED',
      message:
        /checkpoint due every 3 entries could not be written \(EISDIR\): the entry is NOT in the log/,
    });
    await rmdir(join(dir, 'checkpoints.jsonl'));
    expect((await log.append('n', { i: 4 })).seq).toBe(4);
    await log.close();
    expect((await checkpointsOf(dir)).map((cp) => [cp.reason, cp.seq])).toEqual([
      ['periodic', 3],
      ['close', 4],
    ]);
    expect(await verifyAuditLog(dir, { publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      checked: 4,
    });
  });

  it('every T ms: a timer anchors new entries without a close, and writes nothing while idle', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { signingKey: keys.privateKey, checkpointIntervalMs: 20 });
    for (let i = 0; i < 3; i++) await log.append('n', { i });
    await eventually(
      async () => (await checkpointsOf(dir)).some((cp) => cp.reason === 'periodic' && cp.seq === 3),
      'a periodic checkpoint of seq 3',
    );
    // The log is still open: the timer alone made its entries proven.
    expect(await verifyAuditLog(dir, { publicKey: keys.publicKey })).toMatchObject({
      ok: true,
      completeness: { provenThrough: 3, unanchored: 0 },
    });
    const count = (await checkpointsOf(dir)).length;
    await new Promise((resolve) => setTimeout(resolve, 150)); // several ticks, nothing new
    expect(await checkpointsOf(dir)).toHaveLength(count);
    await log.append('n', { i: 3 });
    await eventually(
      async () => (await checkpointsOf(dir)).some((cp) => cp.seq === 4),
      'a periodic checkpoint of seq 4',
    );
    await log.close();
    // Closing right after a periodic checkpoint of the head adds no second one.
    expect((await checkpointsOf(dir)).filter((cp) => cp.seq === 4)).toHaveLength(1);
  });

  it("reads no clock of an agent's run for checkpoints, even when opened and used inside the run's scope", async () => {
    // A stand-in for a recording agent: inside its scope Date.now is served by the run (and each
    // read would be a recorded draw); outside it, by the platform.
    const agentClock = globalScope<{ reads: number }>('@trace/audit.test.agent-clock', () => {
      const platform = Date.now;
      Date.now = () => {
        const run = agentClock.current();
        if (run === undefined) return platform();
        run.reads++;
        return Date.parse('2001-01-01T00:00:00.000Z') + run.reads;
      };
      return () => {
        Date.now = platform;
      };
    });
    const dir = await tempDir();
    const run = { reads: 0 };
    await agentClock.run(run, async () => {
      // `now` defaults to Date.now: inside the scope, the run's clock. Entry times are the run's
      // to give; checkpoints (every 2 entries, every 15 ms, and the close) are the log's own.
      const log = await openAuditLog(dir, {
        signingKey: keys.privateKey,
        checkpointEveryEntries: 2,
        checkpointIntervalMs: 15,
      });
      for (let i = 0; i < 5; i++) await log.append('n', { i });
      await eventually(
        async () => (await checkpointsOf(dir)).some((cp) => cp.seq === 5),
        'a timed checkpoint of seq 5',
      );
      await log.append('n', { i: 5 });
      await log.close();
    });
    // One read per entry, none for the lock, the timers or the checkpoints.
    expect(run.reads).toBe(6);
    // Which entries the timer caught depends on timing; every kind of checkpoint was made.
    const checkpoints = await checkpointsOf(dir);
    const made = checkpoints.map((cp) => `${cp.reason} ${cp.seq}`);
    expect(made).toContain('periodic 5'); // made inside the run's scope, by the timer or the bound
    // The last entry is covered: by the close, or by the timer if it fired between the last append
    // and the close (on a loaded machine it may) — either way read outside the run's scope.
    expect(['close 6', 'periodic 6']).toContain(made.at(-1));
    const seqs = checkpoints.map((cp) => cp.seq);
    seqs.forEach((seq, i) => {
      expect(seq - (seqs[i - 1] ?? 0), made.join(', ')).toBeLessThanOrEqual(2);
    });
    for (const cp of checkpoints) expect(cp.ts.startsWith('2001'), cp.ts).toBe(false);
    expect((await verifyAuditLog(dir, { publicKey: keys.publicKey })).ok).toBe(true);
  });
});
