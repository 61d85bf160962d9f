/** `trace validate` as a user runs it: the built binary, the fixture agents offline, at a small size. */
import { describe, expect, it } from 'vitest';
import { spawnTrace } from './__tests__/trace.js';

const trace = (args: readonly string[]) => spawnTrace(args).exited;

describe('trace validate', () => {
  it('finds every planted fault at a small size, and prints the table; a perturbation that cannot find them exits 1', async () => {
    const run = await trace(['validate', '--k', '6', '--runs', '1', '--positions', '2']);
    expect(run.status, run.stderr).toBe(0);
    for (const name of [
      'corrupted-tool-output',
      'misleading-retrieval',
      'wrong-system-prompt',
      'dropped-message',
      'poisoned-tool-argument',
    ])
      expect(run.stdout).toMatch(new RegExp(`^${name} +1 +1/1 1\\.00 +1/1 .* met$`, 'm'));
    expect(run.stdout).toMatch(/^control \(no fault\) +1 +- +0 blamed .* met$/m);
    expect(run.stdout).toContain('Every target met.');

    const blind = await trace([
      'validate',
      '--k',
      '4',
      '--runs',
      '1',
      '--positions',
      '2',
      '--classes',
      'corrupted-tool-output',
      '--perturb',
      'resample',
      '--json',
    ]);
    expect(blind.status).toBe(1);
    const result = JSON.parse(blind.stdout);
    expect(result.passed).toBe(false);
    expect(result.missed.length).toBeGreaterThan(0);
  });

  it('refuses a fault class or perturbation it does not have', async () => {
    const cls = await trace(['validate', '--classes', 'cosmic-rays']);
    expect(cls.status).toBe(2);
    expect(cls.stderr).toMatch(/"cosmic-rays", which is not a fault class/);
    const positions = await trace(['validate', '--positions', '1,x']);
    expect(positions.status).toBe(2);
    expect(positions.stderr).toMatch(
      /--positions takes stage numbers from 0, comma separated; "x" is not one/,
    );
    const perturb = await trace(['validate', '--perturb', 'shake']);
    expect(perturb.status).toBe(2);
    expect(perturb.stderr).toMatch(
      /--perturb is "shake"; use one of fixture, resample, drop-message/,
    );
  });
});
