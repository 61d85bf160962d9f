/**
 * Leaving one self-contained file behind. While it is open, a writable store keeps a write-ahead
 * log (`-wal`) beside the file; whoever closes last folds it back in — a writer, or a reader when
 * the writers closed before it — so that once every process is done, copying the `.db` file alone
 * copies every tape. Folding changes how the file holds the tapes, never which tapes it holds.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

const ATTEMPTS = 5;

/**
 * Folds the log left beside `path`, if any, when no other connection has the file open; tried a
 * few times, since two closers at once each see the other. Never throws: a log left behind loses
 * nothing (SQLite reads it with the file), and the next closer folds it.
 */
export function foldLog(path: string): void {
  for (let attempt = 0; attempt < ATTEMPTS && hasLog(path); attempt++) {
    if (attempt > 0) sleep(2 + Math.random() * 8 * attempt);
    try {
      const db = new Database(path, { fileMustExist: true });
      try {
        db.pragma('busy_timeout = 0');
        // Leaving WAL needs the file to itself: it fails while another connection has it open.
        if (db.pragma('journal_mode = DELETE', { simple: true }) === 'delete') return;
      } finally {
        db.close();
      }
    } catch {
      // Busy, or not writable here: another closer, or nobody, folds it.
    }
  }
}

function hasLog(path: string): boolean {
  return existsSync(`${path}-wal`) || existsSync(`${path}-shm`);
}

/** A synchronous pause (the store's API is synchronous). */
export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
