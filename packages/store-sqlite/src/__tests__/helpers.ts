import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = 'trace-store-sqlite-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;
/** A path for a new store file inside `dir`. */
export function storePath(dir: string): string {
  counter++;
  return join(dir, `t${process.pid}-${counter}.tape.db`);
}

/**
 * A copy, in `dir`, of a committed store written by an older release (see
 * fixtures/make-v5-fixtures.mjs): tests may change the copy, never the fixture.
 */
export function fixtureCopy(dir: string, name: string): string {
  const path = storePath(dir);
  copyFileSync(new URL(`./fixtures/${name}.tape.db`, import.meta.url), path);
  return path;
}
