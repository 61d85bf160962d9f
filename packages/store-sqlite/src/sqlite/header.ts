/**
 * Checks on a file's first bytes, made before SQLite sees it, so that a file that is not a
 * database, or that was cut short, is refused with a clear error instead of a driver message.
 * The SQLite file header layout: https://www.sqlite.org/fileformat.html (section 1.3).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { TapeError } from '@trace/tape';
import { sleep } from './fold.js';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_SIZE = 100;

export type FileState = 'missing' | 'empty' | 'database';

/** How often a header that promises more than the file holds is read again before it is believed. */
const TRUNCATION_READS = 4;

/**
 * Inspects `path`; throws TAPE_NOT_SQLITE or TAPE_TRUNCATED when the header says so. A file
 * another process is writing can, for an instant, hold a header that promises more pages than
 * are written yet (a checkpoint writes page 1 before the pages after it): a short file is read
 * again a few times before it is called truncated, since a file cut short stays short.
 */
export function inspectFile(path: string): FileState {
  for (let read = 1; ; read++) {
    const state = inspectOnce(path);
    if (typeof state === 'string') return state;
    if (read === TRUNCATION_READS) {
      throw truncated(
        path,
        `its header promises ${state.promised} bytes but it holds ${state.size}`,
      );
    }
    sleep(5 * read);
  }
}

/** A file shorter than its header says: its size, and the size the header promises. */
interface Short {
  readonly size: number;
  readonly promised: number;
}

function inspectOnce(path: string): FileState | Short {
  const header = Buffer.alloc(HEADER_SIZE);
  let read: number;
  let size: number;
  try {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, header, 0, HEADER_SIZE, 0);
      // The size after the header was read: a file that grew meanwhile is judged by its new size.
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw ioError(path, error);
  }
  if (size === 0) return 'empty';

  const magicLength = Math.min(read, MAGIC.length);
  if (!header.subarray(0, magicLength).equals(MAGIC.subarray(0, magicLength))) {
    throw new TapeError(
      'TAPE_NOT_SQLITE',
      `${path} is not a tape: it is not an SQLite database. Check the path.`,
      {
        details: { path },
      },
    );
  }
  if (read < HEADER_SIZE) {
    throw truncated(path, `it is ${size} bytes, shorter than the 100-byte SQLite header`);
  }

  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pageCount = header.readUInt32BE(28);
  // The in-header page count is only valid when the change counter matches the version-valid-for number.
  const countIsValid = header.readUInt32BE(24) === header.readUInt32BE(92);
  const pendingWal = walHoldsFrames(path);
  // With a write-ahead log holding frames, the main file may legitimately lag its header until
  // SQLite replays the log on open; only a file with no pending log can be judged by its size.
  if (!pendingWal && countIsValid && pageSize >= 512 && size < pageCount * pageSize) {
    return { size, promised: pageCount * pageSize };
  }
  return 'database';
}

function walHoldsFrames(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 32; // a WAL header alone is 32 bytes
  } catch {
    return false;
  }
}

function truncated(path: string, why: string): TapeError {
  return new TapeError(
    'TAPE_TRUNCATED',
    `${path} is truncated: ${why}. The file was cut short (an interrupted copy or download?); restore it from the original.`,
    { details: { path } },
  );
}

export function ioError(path: string, cause: unknown): TapeError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new TapeError(
    'TAPE_IO',
    `Cannot access ${path}${code ? ` (${code})` : ''}: check that the path exists and is readable and writable.`,
    { cause, details: { path } },
  );
}
