import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { migrate } from '../sqlite/schema.js';

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

let folders = 0;
/**
 * A real file of format `version` (3 to 5: the tables a format-5 fixture's rows fit), in a folder
 * of its own: that version's schema, built by the migrations, then the rows of the committed
 * fixture `fixture`, as a writer of that version wrote them.
 */
export function olderFile(
  dir: string,
  fixture: string,
  version: 3 | 4 | 5,
): { path: string; folder: string } {
  const source = fixtureCopy(dir, fixture);
  const folder = join(dir, `v${version}-${process.pid}-${folders++}`);
  mkdirSync(folder);
  const path = join(folder, 'old.tape.db');
  const db = new Database(path);
  try {
    migrate(db, 0, version);
    db.exec(`ATTACH DATABASE '${source}' AS src;
      INSERT INTO blobs SELECT * FROM src.blobs;
      INSERT INTO tapes SELECT * FROM src.tapes;
      INSERT INTO events SELECT * FROM src.events;
      INSERT INTO tape_blobs SELECT * FROM src.tape_blobs;
      DETACH DATABASE src;`);
  } finally {
    db.close();
  }
  return { path, folder };
}
