/**
 * The store a run records into and replays from: one the caller opened (any `TapeStore`), or the
 * embedded SQLite store at a path, opened (and later closed) by the run itself.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import type { TapeStore } from '@trace/tape';
import { RunError } from './errors.js';

export interface StoreChoice {
  /** A store the caller opened and keeps open; the run does not close it. */
  readonly store?: TapeStore | undefined;
  /** The path of an SQLite store file; its folder is created when missing. */
  readonly path?: string | undefined;
}

export interface OpenedStore {
  readonly store: TapeStore;
  /** Closes the store if the run opened it. */
  release(): Promise<void>;
}

export function openRunStore(choice: StoreChoice): OpenedStore {
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
    return { store, release: async () => {} };
  }
  if (typeof path !== 'string' || path === '') {
    throw new RunError('RUN_INVALID_OPTION', '`path` must be the path of a store file.', {
      details: { option: 'path' },
    });
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
    release: async () => {
      opened.close();
    },
  };
}
