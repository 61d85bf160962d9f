import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditError } from './errors.js';

/** Name of the file holding signed checkpoints, one canonical JSON line each. */
export const CHECKPOINTS_FILE = 'checkpoints.jsonl';

/** Name of the writer's lock file. */
export const LOCK_FILE = 'writer.lock';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** The day file an entry with this ISO timestamp belongs in: `YYYY-MM-DD.jsonl` (UTC). */
export function dayFileName(ts: string): string {
  return `${ts.slice(0, 10)}.jsonl`;
}

/** The `YYYY-MM-DD` of a day file name, or undefined when the name is not a day file. */
export function dayOf(name: string): string | undefined {
  return DAY_FILE.exec(name)?.[1];
}

/** The day files of a log directory, oldest first. A missing directory has none. */
export async function listDayFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AuditError(
      'AUDIT_READ_FAILED',
      `Cannot list the audit directory ${dir}: check it exists and is readable.`,
      {
        cause: error,
        details: { dir },
      },
    );
  }
  return names.filter((name) => dayOf(name) !== undefined).sort();
}

/** Joins a log directory and a file name. */
export function inDir(dir: string, name: string): string {
  return join(dir, name);
}

/** True when something exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
