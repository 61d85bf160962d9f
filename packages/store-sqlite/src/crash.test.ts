import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Tape } from '@trace/tape';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventAt } from './__tests__/crash-events.mjs';
import { storePath, tempDir } from './__tests__/helpers.js';
import { openSqliteStore, verifyTape } from './index.js';

const dir = tempDir('trace-store-sqlite-crash-');
const child = fileURLToPath(new URL('./__tests__/crash-child.mjs', import.meta.url));
const KILLS = 25;

/** Starts a recording child, waits until it records, then SIGKILLs it after `delayMs`. */
async function recordAndKill(path: string, id: string, delayMs: number): Promise<void> {
  const proc = spawn(process.execPath, [child, path, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [first] = (await once(proc.stdout, 'data')) as [Buffer];
  expect(first.toString()).toBe('ready\n');
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  proc.kill('SIGKILL');
  const [code, signal] = (await once(proc, 'exit')) as [number | null, NodeJS.Signals | null];
  expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
}

describe('a recording killed with SIGKILL', () => {
  it(`leaves a file that opens and holds a whole-event prefix, ${KILLS} times over`, async () => {
    const delays = fc.sample(fc.integer({ min: 0, max: 250 }), {
      numRuns: KILLS,
      seed: Date.now(),
    });
    const lengths: number[] = [];
    for (const [attempt, delayMs] of delays.entries()) {
      const path = storePath(dir);
      await recordAndKill(path, 'crashed', delayMs);

      const store = openSqliteStore(path);
      const [summary] = store.list();
      expect(summary).toMatchObject({ id: 'crashed', complete: false });
      const tape = store.load('crashed');
      expect(tape.complete).toBe(false);
      const expected = Tape.create();
      for (let i = 0; i < tape.events.length; i++) expected.append(eventAt(i));
      expect(tape.fingerprint, `attempt ${attempt}, killed after ${delayMs} ms`).toBe(
        expected.fingerprint,
      );
      expect(summary?.eventCount).toBe(tape.events.length);
      expect(verifyTape(path).ok).toBe(true);

      // The file stays usable: a new recording goes in beside the interrupted one.
      const next = store.record({ id: 'after' });
      next.append(eventAt(0));
      next.finish();
      expect(store.load('after').events).toHaveLength(1);
      store.close();
      lengths.push(tape.events.length);
    }
    // The kills must have landed at different points of the run, not all before the first append.
    expect(new Set(lengths).size).toBeGreaterThan(KILLS / 3);
    expect(Math.max(...lengths)).toBeGreaterThan(0);
  }, 180_000);
});
