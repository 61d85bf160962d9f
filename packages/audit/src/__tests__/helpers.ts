import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { generateCheckpointKeys } from '../checkpoint.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temporary directory, removed after the test file. */
export async function tempDir(prefix = 'trace-audit-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** One key pair for a whole test file (generation is cheap but not free). */
export const keys = generateCheckpointKeys();

/** A deterministic clock: starts at `start` and moves `stepMs` on every read. */
export function steppingClock(
  start = '2026-03-01T12:00:00.000Z',
  stepMs = 1000,
): { now: () => number; set: (iso: string) => void } {
  let t = Date.parse(start) - stepMs;
  return {
    now: () => {
      t += stepMs;
      return t;
    },
    set: (iso: string) => {
      t = Date.parse(iso) - stepMs;
    },
  };
}

/** The lines of every day file, by file name. */
export async function dayFiles(dir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const name of (await readdir(dir))
    .filter((n) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(n))
    .sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    out.set(
      name,
      text.split('\n').filter((line, i, all) => i < all.length - 1 || line !== ''),
    );
  }
  return out;
}
