/**
 * Creating a store file atomically: it is built complete — every migration run, at the current
 * version — in a file of its own beside the destination, then linked into place only if nothing
 * is there yet. So a store file either does not exist or is complete: two processes creating the
 * same store at once both end up opening the one that won, and a process killed while creating
 * leaves no half-made store (only its own temporary file, removed by the next creator).
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { ioError } from './header.js';
import { migrate } from './schema.js';

/** Creates a complete store at `path` unless a file is there already (then leaves it alone). */
export function createStoreFile(path: string): void {
  const folder = dirname(path);
  const prefix = `.${basename(path)}.creating-`;
  removeStrays(folder, prefix);
  const staging = join(folder, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const db = new Database(staging);
    try {
      db.transaction(() => migrate(db, 0)).immediate();
    } finally {
      db.close();
    }
    placeUnlessPresent(staging, path);
  } catch (error) {
    throw ioError(path, error);
  } finally {
    rmSync(staging, { force: true });
    rmSync(`${staging}-journal`, { force: true });
  }
}

/** Links `staging` in as `path`, unless `path` exists: another process created it first. */
function placeUnlessPresent(staging: string, path: string): void {
  try {
    linkSync(staging, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    // A file system without hard links: a rename, which replaces, only when nothing is there
    // (a narrow race with another creator, whose store is as complete as this one).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS')
      throw error;
    try {
      linkSync(path, `${staging}.probe`);
      rmSync(`${staging}.probe`, { force: true });
    } catch {
      renameSync(staging, path);
    }
  }
}

/** Removes temporary files of creators that no longer run (killed while creating). */
function removeStrays(folder: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.startsWith(prefix));
  } catch {
    return; // a missing folder is reported when the store file is created
  }
  for (const name of names) {
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      rmSync(join(folder, name), { force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
