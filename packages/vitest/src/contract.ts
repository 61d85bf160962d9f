/**
 * What the plugin (vitest's main process) and the fixture (its workers) tell each other. The main
 * process provides the update flag to the workers (`provide`/`inject`, renewed on every watch-mode
 * rerun); each test that takes a tape names it in its task meta, which vitest sends back to the
 * reporters in the main process with the test's result, whatever the pool.
 */
import { basename, dirname, resolve } from 'node:path';

/** The key of the plugin's provided state, and of a test's tape in its task meta. */
export const TRACE_KEY = '@trace/vitest';

/** What the plugin provides to every test. */
export interface ProvidedState {
  /** vitest runs with `-u` (or `u` was pressed in watch mode): re-record every tape a test takes. */
  readonly update: boolean;
}

/** What a test that took a tape puts in its task meta. */
export interface TapeUse {
  /** The absolute path of the test file's store. */
  readonly store: string;
  /** The tape's id in that store. */
  readonly tape: string;
}

/** The default folder of a test file's store, beside the file (like `__snapshots__`). */
export const DEFAULT_FOLDER = '__tapes__';

/** The store of a test file: `<folder>/<file name>.tapes.db`, `folder` relative to the file's. */
export function storePathOf(testFile: string, folder: string): string {
  return resolve(dirname(testFile), folder, `${basename(testFile)}.tapes.db`);
}
