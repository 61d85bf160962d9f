/**
 * The store a fork reads its parent from and writes its branch to — the caller's, or an SQLite
 * file — opened as a run opens its store, with a bad choice reported as the fork's own error.
 */
import { openRunStore, RunError, type StoreChoice } from '@trace/run';
import type { TapeStore } from '@trace/tape';
import { ForkError } from './errors.js';

export function openForkStore(choice: StoreChoice): {
  store: TapeStore;
  release: () => Promise<void>;
} {
  try {
    const { store, release } = openRunStore(choice, 'write');
    return { store, release };
  } catch (cause) {
    if (RunError.isInstance(cause) && cause.code === 'RUN_INVALID_OPTION')
      throw new ForkError('FORK_INVALID_OPTION', cause.message, { cause, details: cause.details });
    throw cause;
  }
}
