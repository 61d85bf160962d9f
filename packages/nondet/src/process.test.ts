import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** The agent under test: reads the platform directly and through a source, in a real process. */
const agent = `
import { readFileSync, writeFileSync } from 'node:fs';
import { recording, replay, withGlobals } from ${JSON.stringify(dist)};
const [mode, logPath, outPath] = process.argv.slice(1);
const source = mode === 'record' ? recording() : replay(JSON.parse(readFileSync(logPath, 'utf8')));
const result = await withGlobals(source, async () => {
  const id = crypto.randomUUID();
  await new Promise((resolve) => setTimeout(resolve, 5));
  return {
    id,
    at: new Date().toISOString(),
    pid: source.draw('pid', () => process.pid),
    roll: source.int(1, 6),
    worker: source.stream('worker').bytes(8).join(','),
    t: performance.now(),
  };
});
if (mode === 'record') writeFileSync(logPath, JSON.stringify(source.log()));
else source.assertConsumed();
writeFileSync(outPath, JSON.stringify({ result, self: process.pid }));
`;

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', agent, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** A run in a hardened runtime: one of the globals withGlobals patches is frozen. */
const locked = `
import { seeded, withGlobals } from ${JSON.stringify(dist)};
const before = {
  Date,
  now: Date.now,
  random: Math.random,
  uuid: crypto.randomUUID,
  values: crypto.getRandomValues,
};
Object.freeze(performance);
let error;
try {
  withGlobals(seeded(), () => 1);
} catch (e) {
  error = { code: e.code, property: e.details?.property, cause: e.cause instanceof TypeError };
}
const restored =
  globalThis.Date === before.Date &&
  before.Date.now === before.now &&
  Math.random === before.random &&
  crypto.randomUUID === before.uuid &&
  crypto.getRandomValues === before.values;
process.stdout.write(JSON.stringify({ error, restored }));
`;

describe('across processes', () => {
  it('a runtime with frozen globals gets a typed error, and nothing is left patched', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', locked], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += String(chunk)));
        child.stderr.on('data', (chunk) => (stderr += String(chunk)));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'NONDET_GLOBALS_LOCKED', property: 'now', cause: true },
      restored: true,
    });
  });

  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trace-nondet-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a log recorded in one process replays identically in another', async () => {
    const log = join(dir, 'draws.json');
    const recorded = await run(['record', log, join(dir, 'recorded.json')]);
    expect(recorded).toEqual({ code: 0, stderr: '' });
    const replayed = await run(['replay', log, join(dir, 'replayed.json')]);
    expect(replayed).toEqual({ code: 0, stderr: '' });
    const a = JSON.parse(await readFile(join(dir, 'recorded.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(dir, 'replayed.json'), 'utf8'));
    expect(b.result).toEqual(a.result);
    // The replaying process reported the recording process's pid, served from the log, not its own.
    expect(b.self).not.toBe(a.self);
    expect(b.result.pid).toBe(a.self);
    const kinds = JSON.parse(await readFile(log, 'utf8')).map((r: { kind: string }) => r.kind);
    expect(kinds).toEqual([
      'uuid.v4',
      'clock.wall',
      'source:pid',
      'random.int',
      'random.bytes',
      'clock.monotonic',
    ]);
  });

  it('a replay of a tampered log fails the process with a typed divergence, not a crash', async () => {
    const log = join(dir, 'tampered-draws.json');
    expect((await run(['record', log, join(dir, 'original.json')])).code).toBe(0);
    const tampered = JSON.parse(await readFile(log, 'utf8'));
    tampered.splice(1, 1);
    await writeFile(log, JSON.stringify(tampered));
    const replayed = await run(['replay', log, join(dir, 'tampered.json')]);
    expect(replayed.code).not.toBe(0);
    expect(replayed.stderr).toContain('NONDET_DIVERGED');
    expect(replayed.stderr).toContain('draw #1');
  });
});
