/**
 * The store a run records into and replays from: one the caller opened (any `TapeStore`), or the
 * embedded SQLite store at a path, opened (and later closed) by the run itself.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import { openMemoryStore, type TapeStore } from '@trace/tape';
import { RunError } from './errors.js';

export interface StoreChoice {
  /** A store the caller opened and keeps open; the run does not close it. */
  readonly store?: TapeStore | undefined;
  /** The path of an SQLite store file; its folder is created when missing. */
  readonly path?: string | undefined;
}

export interface OpenedStore {
  readonly store: TapeStore;
  /** Opened for reading only: a run that must record opens it again for writing. */
  readonly readonly: boolean;
  /** Closes the store if the run opened it. */
  release(): Promise<void>;
}

/**
 * Opens the run's store. With `access: 'read'` (a run that may only replay) an existing file is
 * opened read-only, so a replay leaves a tape file — one committed to a repository, say — byte for
 * byte as it was, with no `-wal` beside it; a missing file is not created, and reads as empty.
 */
export function openRunStore(choice: StoreChoice, access: 'read' | 'write'): OpenedStore {
  const { store, path } = choice;
  if ((store === undefined) === (path === undefined)) {
    throw new RunError(
      'RUN_INVALID_OPTION',
      'Pass exactly one of `store` (an open TapeStore) and `path` (an SQLite store file).',
      { details: { option: 'store' } },
    );
  }
  if (store !== undefined) {
    if (typeof store !== 'object' || store === null || typeof store.load !== 'function') {
      throw new RunError('RUN_INVALID_OPTION', '`store` must be a TapeStore.', {
        details: { option: 'store' },
      });
    }
    return { store, readonly: false, release: async () => {} };
  }
  if (typeof path !== 'string' || path === '') {
    throw new RunError('RUN_INVALID_OPTION', '`path` must be the path of a store file.', {
      details: { option: 'path' },
    });
  }
  if (access === 'read') {
    if (!existsSync(path))
      return { store: openMemoryStore({ name: path }), readonly: true, release: async () => {} };
    const reading = openSqliteStore(path, { readonly: true });
    return { store: reading, readonly: true, release: async () => reading.close() };
  }
  const folder = dirname(resolve(path));
  try {
    mkdirSync(folder, { recursive: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new RunError(
      'RUN_STORE_UNAVAILABLE',
      `Cannot create the folder ${folder} for the store ${path}${code ? ` (${code})` : ''}: check the path and its permissions.`,
      { cause, details: { path, folder } },
    );
  }
  const opened = openSqliteStore(path);
  return {
    store: opened,
    readonly: false,
    release: async () => {
      opened.close();
    },
  };
}
