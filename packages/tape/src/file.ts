/** One-call helpers for the common case of one tape per file. */
import { type OpenStoreOptions, openStore, type SaveResult } from './store.js';
import type { Tape } from './tape.js';
import type { VerifyReport } from './verify.js';

/** Saves `tape` into the store at `path`, creating the file when needed. */
export function saveTape(path: string, tape: Tape, options: OpenStoreOptions = {}): SaveResult {
  const store = openStore(path, options);
  try {
    return store.save(tape);
  } finally {
    store.close();
  }
}

/** Reads a tape from `path`; with no id, the file must hold exactly one tape. */
export function loadTape(path: string, id?: string): Tape {
  const store = openStore(path, { readonly: true });
  try {
    return store.load(id);
  } finally {
    store.close();
  }
}

/** Verifies every blob and tape in the file at `path`. */
export function verifyTape(path: string, id?: string): VerifyReport {
  const store = openStore(path, { readonly: true });
  try {
    return store.verify(id);
  } finally {
    store.close();
  }
}
