import { appendFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { steppingClock, tempDir } from './__tests__/helpers.js';
import {
  type AuditEntry,
  openAuditLog,
  queryEntries,
  readEntries,
  readRecent,
  tailLog,
} from './index.js';
import { readLastLines } from './lines.js';

async function collect(iterable: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const entry of iterable) out.push(entry);
  return out;
}

/** 3 days, 5 entries a day, sessions alternating a/b. */
async function threeDays(dir: string) {
  const clock = steppingClock('2026-02-01T10:00:00.000Z', 3_600_000);
  const log = await openAuditLog(dir, { now: clock.now, durability: 'none' });
  for (let day = 0; day < 3; day++) {
    clock.set(`2026-02-0${day + 1}T10:00:00.000Z`);
    for (let i = 0; i < 5; i++)
      await log.append(
        i % 2 === 0 ? 'note' : 'other',
        { day, i },
        { session: i % 2 === 0 ? 'a' : 'b' },
      );
  }
  await log.close();
}

describe('readRecent', () => {
  it('returns the last entries oldest first, reaching into older day files when needed', async () => {
    const dir = await tempDir();
    await threeDays(dir);
    expect((await readRecent(dir, 3)).map((e) => e.seq)).toEqual([13, 14, 15]);
    expect((await readRecent(dir, 7)).map((e) => e.seq)).toEqual([9, 10, 11, 12, 13, 14, 15]);
    expect((await readRecent(dir, 100)).map((e) => e.seq)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect(await readRecent(dir, 0)).toEqual([]);
    expect(await readRecent(await tempDir(), 5)).toEqual([]);
    await expect(readRecent(dir, -1)).rejects.toMatchObject({ code: 'AUDIT_INVALID_OPTIONS' });
  });

  it('skips a torn last line', async () => {
    const dir = await tempDir();
    await threeDays(dir);
    await appendFile(join(dir, '2026-02-03.jsonl'), '{"hash":"12');
    expect((await readRecent(dir, 2)).map((e) => e.seq)).toEqual([14, 15]);
  });

  it('property: the backward reader returns exactly the last lines, whatever the chunk size', async () => {
    const dir = await tempDir();
    const path = join(dir, 'lines.txt');
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/\n/g, ' ')),
          { maxLength: 30 },
        ),
        fc.string({ maxLength: 5 }).map((s) => s.replace(/\n/g, '')),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 64 }),
        async (lines, torn, limit, chunk) => {
          await writeFile(path, lines.map((l) => `${l}\n`).join('') + torn);
          const tail = await readLastLines(path, limit, chunk);
          expect(tail.lines).toEqual(lines.slice(Math.max(0, lines.length - limit)));
          expect(tail.torn?.bytes ?? 0).toBe(Buffer.byteLength(torn));
        },
      ),
    );
  });
});

describe('queryEntries', () => {
  it('streams by session and time range across days', async () => {
    const dir = await tempDir();
    await threeDays(dir);
    expect(
      (await collect(queryEntries(dir, { session: 'b' }))).map((e) => [e.payload.day, e.payload.i]),
    ).toEqual([
      [0, 1],
      [0, 3],
      [1, 1],
      [1, 3],
      [2, 1],
      [2, 3],
    ]);
    const range = await collect(
      queryEntries(dir, {
        from: '2026-02-01T13:00:00.000Z',
        to: new Date('2026-02-02T11:00:00.000Z'),
      }),
    );
    expect(range.map((e) => e.ts)).toEqual([
      '2026-02-01T13:00:00.000Z',
      '2026-02-01T14:00:00.000Z',
      '2026-02-02T10:00:00.000Z',
      '2026-02-02T11:00:00.000Z',
    ]);
    expect(
      (
        await collect(
          queryEntries(dir, { types: ['other'], session: 'b', from: '2026-02-03T00:00:00.000Z' }),
        )
      ).map((e) => e.seq),
    ).toEqual([12, 14]);
    expect(await collect(readEntries(dir))).toHaveLength(15);
    await expect(collect(queryEntries(dir, { from: 'not a date' }))).rejects.toMatchObject({
      code: 'AUDIT_INVALID_OPTIONS',
    });
  });

  it('reports a damaged line as a typed error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '2026-02-01.jsonl'), 'not json\n');
    await expect(collect(readEntries(dir))).rejects.toMatchObject({ code: 'AUDIT_READ_FAILED' });
  });
});

describe('tailLog', () => {
  it('follows new entries live, across a day rotation, until aborted', async () => {
    const dir = await tempDir();
    const clock = steppingClock('2026-02-01T20:00:00.000Z', 1000);
    const log = await openAuditLog(dir, { now: clock.now, durability: 'none' });
    await log.append('before', {});
    const controller = new AbortController();
    const seen: AuditEntry[] = [];
    const done = (async () => {
      for await (const entry of tailLog(dir, { pollIntervalMs: 5, signal: controller.signal })) {
        seen.push(entry);
        if (entry.type === 'live' && entry.payload.i === 3) controller.abort();
      }
    })();
    // When the tail takes its starting point is up to the scheduler, so no fixed sleep: append
    // probes until it has yielded one. From then on it must yield every entry, in order.
    while (seen.length === 0) {
      await log.append('probe', {});
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    clock.set('2026-02-01T23:59:59.000Z');
    const live: AuditEntry[] = [];
    for (let i = 0; i < 4; i++) {
      live.push(await log.append('live', { i })); // crosses midnight after the first
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await done;
    await log.close();
    // Never the entry written before the tail started; nothing skipped or repeated after that.
    expect(seen[0]!.type).toBe('probe');
    const first = seen[0]!.seq;
    expect(seen.map((e) => e.seq)).toEqual(
      Array.from({ length: live[3]!.seq - first + 1 }, (_, i) => first + i),
    );
    expect(seen.slice(-4)).toEqual(live);
    expect(new Set(live.map((e) => e.ts.slice(0, 10)))).toEqual(
      new Set(['2026-02-01', '2026-02-02']),
    );
  });

  it('refuses a start position it cannot honour instead of waiting forever', async () => {
    const dir = await tempDir();
    await threeDays(dir);
    for (const from of [Number.NaN, -1, 2.5, 'begin']) {
      // The signal is already aborted: a tail that accepted `from` would end at once, empty.
      const controller = new AbortController();
      controller.abort();
      await expect(
        collect(
          tailLog(dir, { from: from as never, pollIntervalMs: 5, signal: controller.signal }),
        ),
      ).rejects.toMatchObject({ code: 'AUDIT_INVALID_OPTIONS' });
    }
  });

  it('can start from the beginning or from a seq, and drops a torn line a writer cut off', async () => {
    const dir = await tempDir();
    await threeDays(dir);
    const controller = new AbortController();
    const fromStart: number[] = [];
    for await (const entry of tailLog(dir, {
      from: 3,
      pollIntervalMs: 5,
      signal: controller.signal,
    })) {
      fromStart.push(entry.seq);
      if (entry.seq === 15) break;
    }
    expect(fromStart).toEqual(Array.from({ length: 13 }, (_, i) => i + 3));

    const path = join(dir, '2026-02-03.jsonl');
    const seen: AuditEntry[] = [];
    const tail = (async () => {
      for await (const entry of tailLog(dir, { pollIntervalMs: 5, signal: controller.signal })) {
        seen.push(entry);
        if (entry.type === 'audit.repair') break;
      }
    })();
    // Handshake, as above: probes until the tail is known to be following the file.
    const prober = await openAuditLog(dir, { now: () => Date.parse('2026-02-03T22:00:00.000Z') });
    let probe: AuditEntry | undefined;
    while (seen.length === 0) {
      probe = await prober.append('probe', {});
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await prober.close();
    while (seen[seen.length - 1]!.seq !== probe!.seq)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(path));
    await appendFile(path, '{"hash":"torn');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await truncate(path, size); // what a reopening writer does...
    const log = await openAuditLog(dir, { now: () => Date.parse('2026-02-03T23:00:00.000Z') });
    await log.close();
    const reopened = await openAuditLog(dir, {});
    await reopened.close();
    await appendFile(path, '{"hash":"torn'); // ...and a torn write it repairs on open
    const repairing = await openAuditLog(dir, {
      now: () => Date.parse('2026-02-03T23:30:00.000Z'),
    });
    expect(repairing.repairs).toHaveLength(1);
    await repairing.close();
    await tail;
    // After the probes, exactly the repair entry: neither torn fragment surfaced as an entry.
    const first = seen[0]!.seq;
    expect(seen.map((e) => e.seq)).toEqual(
      Array.from({ length: probe!.seq + 2 - first }, (_, i) => first + i),
    );
    expect(seen.filter((e) => e.type !== 'probe').map((e) => [e.type, e.seq])).toEqual([
      ['audit.repair', probe!.seq + 1],
    ]);
  });
});
