/** One-call helpers for the common case of one tape per file. */
import type { SaveResult, Tape, TapeVerifyReport } from '@trace/tape';
import { openSqliteStore, type SqliteStoreOptions } from './store.js';

/** Saves `tape` into the store at `path`, creating the file when needed. */
export function saveTape(path: string, tape: Tape, options: SqliteStoreOptions = {}): SaveResult {
  const store = openSqliteStore(path, options);
  try {
    return store.save(tape);
  } finally {
    store.close();
  }
}

/** Reads a tape from `path`; with no id, the file must hold exactly one tape. */
export function loadTape(path: string, id?: string): Tape {
  const store = openSqliteStore(path, { readonly: true });
  try {
    return store.load(id);
  } finally {
    store.close();
  }
}

/** Verifies every blob and tape in the file at `path`. */
export function verifyTape(path: string, id?: string): TapeVerifyReport {
  const store = openSqliteStore(path, { readonly: true });
  try {
    return store.verify(id);
  } finally {
    store.close();
  }
}
