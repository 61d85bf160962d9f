import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keys, tempDir } from './__tests__/helpers.js';
import { canonicalJson } from './canonical.js';
import {
  type AuditVerifyOptions,
  type AuditVerifyReport,
  type Checkpoint,
  openAuditLog,
  verifyAuditLog,
} from './index.js';
import { chainStep } from './write/chain.js';

const KEY = 'completeness-test-key-'.padEnd(32, 'k');
const DAY_MS = 86_400_000;
const BASE = Date.parse('2026-05-01T10:00:00.000Z');

/** The last line of the log's newest day file, as the chain head a forger continues from. */
async function lastEntry(dir: string): Promise<{ seq: number; hash: string; ts: string }> {
  const files = (await readdir(dir)).filter((n) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(n)).sort();
  const lines = (await readFile(join(dir, files[files.length - 1]!), 'utf8')).trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

/** Appends a well-formed, correctly chained entry by hand, as someone editing the files would. */
async function forgeAfterLast(dir: string, key: Buffer | undefined): Promise<number> {
  const head = await lastEntry(dir);
  const payload = { forged: true };
  const { line, entry } = chainStep(
    head,
    {
      ts: head.ts,
      type: 'decision.forged',
      session: undefined,
      payloadJson: canonicalJson(payload),
      payload,
    },
    key,
  );
  await writeFile(join(dir, `${head.ts.slice(0, 10)}.jsonl`), `${line}\n`, { flag: 'a' });
  return entry.seq;
}

describe('completeness cannot be emptied away', () => {
  it('an emptied directory is not a clean log: with a public key it says completeness is unproven', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { key: KEY, signingKey: keys.privateKey });
    for (let i = 0; i < 3; i++) await log.append('n', { i });
    await log.close();
    const opts = { key: KEY, publicKey: keys.publicKey };
    expect(await verifyAuditLog(dir, opts)).toMatchObject({ ok: true, checked: 3 });

    // Deleting only the checkpoints: no_checkpoint.
    const onlyCheckpoints = await tempDir();
    for (const name of await readdir(dir))
      if (name !== 'checkpoints.jsonl')
        await copyFile(join(dir, name), join(onlyCheckpoints, name));
    expect((await verifyAuditLog(onlyCheckpoints, opts)).completeness.problem?.kind).toBe(
      'no_checkpoint',
    );

    // Deleting everything gets no cleaner an answer.
    for (const name of await readdir(dir)) await rm(join(dir, name));
    const emptied = await verifyAuditLog(dir, opts);
    expect(emptied).toMatchObject({
      ok: false,
      checked: 0,
      integrity: { ok: true },
      completeness: {
        ok: false,
        provenThrough: null,
        checkpoints: 0,
        unanchored: 0,
        unanchoredFrom: null,
        problem: { kind: 'empty_unproven', file: null, line: null, seq: null },
      },
    });
    expect(emptied.summary).toMatch(/^FAILED\. .*empty_unproven/);
    // Without a public key nothing could ever be proven, an empty directory included.
    expect((await verifyAuditLog(dir, { key: KEY })).completeness.problem?.kind).toBe(
      'empty_unproven',
    );
  });

  it('an empty log written with a signing key is proven empty by its checkpoint', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, { signingKey: keys.privateKey });
    await log.close();
    const report = await verifyAuditLog(dir, { publicKey: keys.publicKey });
    expect(report).toMatchObject({
      ok: true,
      checked: 0,
      completeness: { ok: true, provenThrough: 0, checkpoints: 1, unanchored: 0 },
    });
    expect(report.summary).toMatch(/^verified\. .*proves the log was empty/);
    // Its checkpoint kept elsewhere still catches the same log emptied.
    const kept = (await readFile(join(dir, 'checkpoints.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Checkpoint);
    await rm(join(dir, 'checkpoints.jsonl'));
    expect((await verifyAuditLog(dir, { publicKey: keys.publicKey, checkpoints: kept })).ok).toBe(
      true,
    );
    expect(
      (await verifyAuditLog(dir, { publicKey: keys.publicKey })).completeness.problem?.kind,
    ).toBe('empty_unproven');
  });

  for (const keyed of [false, true]) {
    it(`says plainly which entries after the last checkpoint are unproven: a forged line in a${keyed ? ' keyed log (by the key holder)' : 'n unkeyed log'}`, async () => {
      const dir = await tempDir();
      const log = await openAuditLog(dir, {
        ...(keyed ? { key: KEY } : {}),
        signingKey: keys.privateKey,
        now: () => BASE,
      });
      for (let i = 0; i < 4; i++) await log.append('n', { i });
      await log.close();
      const opts = { ...(keyed ? { key: KEY } : {}), publicKey: keys.publicKey };
      const clean = await verifyAuditLog(dir, opts);
      expect(clean.completeness).toMatchObject({
        provenThrough: 4,
        unanchored: 0,
        unanchoredFrom: null,
      });
      expect(clean.summary).not.toMatch(/UNPROVEN/);

      const first = await forgeAfterLast(dir, keyed ? Buffer.from(KEY) : undefined);
      const second = await forgeAfterLast(dir, keyed ? Buffer.from(KEY) : undefined);
      expect([first, second]).toEqual([5, 6]);
      const report = await verifyAuditLog(dir, opts);
      // Nothing can show these are forged: the honest answer is that nothing proves them.
      expect(report).toMatchObject({
        ok: true,
        checked: 6,
        integrity: { ok: true },
        completeness: { ok: true, provenThrough: 4, unanchored: 2, unanchoredFrom: 5 },
      });
      expect(report.summary).toContain(
        'UNPROVEN: 2 entries (seq 5 to 6) after the last signed checkpoint',
      );
      expect(report.summary).toMatch(/Nothing is missing through seq 4/);
    });
  }

  it('a log with no checkpoint at all says every entry is unproven', async () => {
    const dir = await tempDir();
    const log = await openAuditLog(dir, {});
    await log.append('n', {});
    await log.close();
    const report = await verifyAuditLog(dir, { publicKey: keys.publicKey });
    expect(report.completeness).toMatchObject({
      problem: { kind: 'no_checkpoint' },
      unanchored: 1,
      unanchoredFrom: 1,
    });
    expect(report.summary).toMatch(/UNPROVEN: no signed checkpoint covers the 1 entry \(seq 1\)/);
  });
});

/** A real log's shape: the day of each entry, where manual checkpoints go, how it ends. */
const shapeArb = fc.record({
  // At most three day files: with checkpoints.jsonl and a tail's own day, at most five files,
  // so every one of the 32 subsets can be deleted and verified.
  days: fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }).map((nextDay) => {
    const days: number[] = [];
    for (const next of nextDay) days.push(Math.min((days.at(-1) ?? 0) + (next ? 1 : 0), 2));
    return days;
  }),
  manualAfter: fc.option(fc.nat(), { nil: undefined }),
  keyed: fc.boolean(),
  // Entries appended afterwards by a writer without the signing key: a tail no checkpoint covers.
  unanchoredTail: fc.integer({ min: 0, max: 3 }),
  tailNextDay: fc.boolean(),
});

type Shape = typeof shapeArb extends fc.Arbitrary<infer T> ? T : never;

async function writeRealLog(dir: string, shape: Shape): Promise<Checkpoint[]> {
  const kept: Checkpoint[] = [];
  let i = 0;
  const at = () => BASE + (shape.days[Math.min(i, shape.days.length - 1)] ?? 0) * DAY_MS + i * 1000;
  const key = shape.keyed ? { key: KEY } : {};
  const log = await openAuditLog(dir, {
    ...key,
    signingKey: keys.privateKey,
    durability: 'none',
    now: at,
    onCheckpoint: (cp) => kept.push(cp),
  });
  for (; i < shape.days.length; i++) {
    await log.append('note', { i }, { session: 's' });
    if (shape.manualAfter !== undefined && shape.manualAfter % shape.days.length === i)
      await log.checkpoint();
  }
  await log.close();
  if (shape.unanchoredTail > 0) {
    const lastDay = shape.days.at(-1)! + (shape.tailNextDay ? 1 : 0);
    const tail = await openAuditLog(dir, {
      ...key,
      durability: 'none',
      now: () => BASE + lastDay * DAY_MS + (i++ + 1) * 1000,
    });
    for (let t = 0; t < shape.unanchoredTail; t++) await tail.append('tail', { t });
    await tail.close();
  }
  return kept;
}

/**
 * How clean an answer is, in what it claims: each part only ever counts in the log's favour.
 * `unanchored` is left out on purpose: entries after the last checkpoint are exactly what
 * nothing proves, so removing them cannot be seen and must not be (their absence is not a claim).
 */
function claims(report: AuditVerifyReport) {
  return {
    ok: report.ok,
    integrity: report.integrity.ok,
    completeness: report.completeness.ok,
    provenThrough: report.completeness.provenThrough ?? -1,
  };
}

function noCleaner(more: ReturnType<typeof claims>, less: ReturnType<typeof claims>): boolean {
  return (
    (!more.ok || less.ok) &&
    (!more.integrity || less.integrity) &&
    (!more.completeness || less.completeness) &&
    more.provenThrough <= less.provenThrough
  );
}

describe('property: deleting more of a real log never gets a cleaner answer than deleting less', () => {
  it('over every pair of nested subsets of its files, with and without the public key and kept checkpoints', async () => {
    const root = await tempDir('trace-audit-subsets-');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(shapeArb, async (shape) => {
        const source = join(root, `log-${run++}`);
        const kept = await writeRealLog(source, shape);
        const files = (await readdir(source)).sort();
        const modes: AuditVerifyOptions[] = [
          { ...(shape.keyed ? { key: KEY } : {}), publicKey: keys.publicKey },
          { ...(shape.keyed ? { key: KEY } : {}) },
          { ...(shape.keyed ? { key: KEY } : {}), publicKey: keys.publicKey, checkpoints: kept },
        ];
        // Every subset of the files deleted, each verified once in each mode.
        const verdicts = new Map<number, ReturnType<typeof claims>[]>();
        for (let deleted = 0; deleted < 1 << files.length; deleted++) {
          const copy = join(root, `copy-${run}-${deleted}`);
          await mkdir(copy);
          for (let f = 0; f < files.length; f++)
            if (!(deleted & (1 << f)))
              await copyFile(join(source, files[f]!), join(copy, files[f]!));
          const reports = await Promise.all(modes.map((mode) => verifyAuditLog(copy, mode)));
          verdicts.set(deleted, reports.map(claims));
          await rm(copy, { recursive: true });
        }
        // Nothing deleted: a real log verifies (completeness needs the public key).
        expect(verdicts.get(0)![0]).toMatchObject({ ok: true, integrity: true });
        for (const [less, lessClaims] of verdicts)
          for (const [more, moreClaims] of verdicts) {
            if ((less & more) !== less || less === more) continue;
            modes.forEach((_, m) => {
              const removed = (set: number) => files.filter((_, f) => set & (1 << f)).join(',');
              expect(
                noCleaner(moreClaims[m]!, lessClaims[m]!),
                `mode ${m}: deleting [${removed(more)}] answered ${JSON.stringify(moreClaims[m])}, deleting only [${removed(less)}] ${JSON.stringify(lessClaims[m])}`,
              ).toBe(true);
            });
          }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
