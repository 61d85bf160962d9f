import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { BlameError } from '../errors.js';
import { FAULT_CLASSES } from './faults.js';
import { formatValidation } from './format.js';
import { type ValidationResult, validate } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'blame-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validate', () => {
  // Small but whole: every class planted twice, at a middle stage (2) and at the last (3), eight
  // trials per step, and two healthy runs as the control. The fixture model's noise depends only
  // on the seeds, so one seed always gives one result.
  let result: ValidationResult;
  const path = join(dir, 'validate.tape.db');

  it('finds every planted fault first, blames nothing else, and nothing in the control', {
    timeout: 180_000,
  }, async () => {
    const progress: number[] = [];
    result = await validate({
      k: 8,
      runs: 2,
      positions: [2, 3],
      path,
      onRun: (_, done) => progress.push(done),
    });

    expect(result.classes.map((c) => c.faultClass)).toEqual([...FAULT_CLASSES]);
    for (const c of result.classes) {
      expect(c.runs).toHaveLength(2);
      expect(c.missed).toEqual([]);
      expect(c.top1.rate).toBeGreaterThanOrEqual(0.95);
      expect(c.falseDiscoveries.length).toBeLessThanOrEqual(1);
      for (const run of c.runs) {
        expect(run.planted).toBeDefined();
        expect(run.rank).toBe(0);
        // Each blame runs every step: 5 model calls and 7 draws, k trials each.
        expect(run.forks).toBe(12 * 8);
        expect(run.plantedFlipRate).toBeGreaterThan(run.highestOther!.flipRate);
      }
    }
    for (const c of result.classes) expect(c.runs.map((r) => r.stage)).toEqual([2, 3]);
    expect(result.control.runs).toHaveLength(2);
    expect(result.control.blamed).toEqual([]);
    expect(result.control.maxFlipRate).toBeLessThanOrEqual(0.3);
    expect(result.missed).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.forks).toBe(12 * 12 * 8);
    expect(progress).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

    // The runs were recorded into the given SQLite store, and only they: trial branches and
    // blame results are not kept.
    const store = openSqliteStore(path, { readonly: true });
    try {
      const ids = (await store.list()).map((t) => t.id).sort();
      expect(ids).toEqual(
        [...result.classes.flatMap((c) => c.runs), ...result.control.runs].map((r) => r.run).sort(),
      );
    } finally {
      store.close();
    }
  });

  it('prints a table with a row per class, the control, the fork rate and the verdict', () => {
    const table = formatValidation(result);
    for (const faultClass of FAULT_CLASSES)
      expect(table).toMatch(new RegExp(`^${faultClass} +2 +2/2 1\\.00 .* met$`, 'm'));
    expect(table).toMatch(/^control \(no fault\) +2 +- +0 blamed .* met$/m);
    expect(table).toContain(`${result.forks} forks in`);
    expect(table).toContain('Every target met.');
  });

  it('a missed target is named, and the table says so', () => {
    const first = result.classes[0]!;
    const [run, ...rest] = first.runs;
    const broken: ValidationResult = {
      ...result,
      classes: [
        {
          ...first,
          runs: [{ ...run!, top1: false, rank: 3 }, ...rest],
          top1: { hits: 1, rate: 0.5 },
          missed: ['x: top-1 0.50'],
        },
      ],
      missed: ['x: top-1 0.50'],
      passed: false,
    };
    const table = formatValidation(broken);
    expect(table).toMatch(new RegExp(`^${first.faultClass} +2 +1/2 0\\.50 .* MISSED$`, 'm'));
    expect(table).toContain('  x: top-1 0.50');
    expect(table).toContain(`${run!.run} (${run!.scenario}, stage ${run!.stage}): planted`);
    expect(table).toContain('rank 4');
    expect(table).not.toContain('Every target met.');
  });

  it('fails where blame cannot find the cause: resampling alone re-creates a systematic fault', async () => {
    // A wrong system prompt is in the agent's code: every re-run of the tail builds it again, so
    // resampling the model's answer (blame's default) flips nothing, and the validation says so.
    const resampled = await validate({
      k: 4,
      runs: 1,
      classes: ['wrong-system-prompt'],
      positions: [2],
      perturb: 'resample',
    });
    expect(resampled.perturb).toBe('resample');
    expect(resampled.passed).toBe(false);
    expect(resampled.classes[0]!.top1.hits).toBe(0);
    expect(resampled.classes[0]!.runs[0]!.plantedFlipRate).toBe(0);
    expect(resampled.missed[0]).toMatch(/^wrong-system-prompt: top-1 accuracy 0\.00/);
    expect(formatValidation(resampled)).toMatch(/^wrong-system-prompt .* MISSED$/m);
  });

  it('refuses bad options with a typed error', async () => {
    for (const options of [
      { k: 0 },
      { runs: 1.5 },
      { positions: [] },
      { positions: [-1] },
      { classes: ['nope'] },
      { classes: [] },
      { slip: 1 },
      { falseAlarm: -0.1 },
      { perturb: 'shuffle' },
    ]) {
      const error = await validate(options as never).catch((e: unknown) => e);
      expect(BlameError.isInstance(error)).toBe(true);
      expect((error as BlameError).code).toBe('BLAME_INVALID_OPTION');
    }
    // A class that no stage in `positions` can hold.
    const error = await validate({
      classes: ['dropped-message'],
      positions: [0],
      runs: 1,
      k: 1,
    }).catch((e: unknown) => e);
    expect((error as BlameError).code).toBe('BLAME_INVALID_OPTION');
    expect((error as BlameError).message).toContain('positions');
  });
});
