/**
 * A blame's result, stored beside its run: a tape `<run>.blame` with no events whose metadata
 * `user['@trace/blame']` is the result. A later blame replaces it in one atomic step; a tape under
 * that id that is not a blame (a recorded run named `<run>.blame`) is never replaced.
 */
import { createRequire } from 'node:module';
import type { JsonValue } from '@trace/spec';
import type { TapeStore } from '@trace/tape';
import { BlameError } from './errors.js';
import type { BlameResult } from './result.js';

/** The key of the result in the tape's `user` metadata. */
export const BLAME_METADATA_KEY = '@trace/blame';

const { version: PACKAGE_VERSION } = createRequire(import.meta.url)('../package.json') as {
  version: string;
};

/** The id of the tape that holds run `run`'s blame. */
export function blameTapeId(run: string): string {
  return `${run}.blame`;
}

export async function saveBlame(store: TapeStore, result: BlameResult): Promise<void> {
  const id = blameTapeId(result.run);
  await checkBlameSlot(store, result.run);
  try {
    const recorder = await store.record({
      id,
      replace: true,
      metadata: {
        createdAt: result.createdAt,
        recorder: { name: '@trace/blame', version: PACKAGE_VERSION },
        user: { [BLAME_METADATA_KEY]: result as unknown as JsonValue },
      },
    });
    await recorder.finish();
  } catch (cause) {
    throw new BlameError(
      'BLAME_STORAGE_FAILED',
      `The blame of ${result.run} could not be stored as ${id} in ${store.location}: ${(cause as Error)?.message ?? String(cause)}. Pass save: false to skip storing it.`,
      { cause, details: { run: result.run, id } },
    );
  }
}

/**
 * BLAME_STORAGE_FAILED when the tape id the blame of `run` is stored under holds something else.
 * `blame` checks before it spends anything, and again when it saves.
 */
export async function checkBlameSlot(store: TapeStore, run: string): Promise<void> {
  const id = blameTapeId(run);
  // `replace` would overwrite whatever tape holds this id: make sure it is an earlier blame, not
  // a recorded run that happens to be named `<run>.blame`.
  if (!(await holdsBlameOrNothing(store, id)))
    throw new BlameError(
      'BLAME_STORAGE_FAILED',
      `The blame of ${run} is stored as the tape ${id}, but ${store.location} already holds a tape ${id} that is not a blame (it has events, or no blame result in its metadata); it was left as it is. Rename that run, or pass save: false to blame ${run} without storing the result.`,
      { details: { run, id } },
    );
}

/** True when no tape holds `id`, or the one there is a blame: no events, a blame result in its metadata. */
async function holdsBlameOrNothing(store: TapeStore, id: string): Promise<boolean> {
  try {
    if (!(await store.has(id))) return true;
    const tape = await store.load(id);
    const stored = tape.metadata.user?.[BLAME_METADATA_KEY];
    return tape.events.length === 0 && typeof stored === 'object' && stored !== null;
  } catch {
    // A tape that cannot even be read is nothing this blame may overwrite.
    return false;
  }
}

/** The stored blame of run `run`, or undefined when it was never blamed (or saved). */
export async function loadBlame(store: TapeStore, run: string): Promise<BlameResult | undefined> {
  const id = blameTapeId(run);
  if (!(await store.has(id))) return undefined;
  const tape = await store.load(id);
  const stored = tape.metadata.user?.[BLAME_METADATA_KEY] as Partial<BlameResult> | undefined;
  if (typeof stored !== 'object' || stored === null || !Array.isArray(stored.steps))
    throw new BlameError(
      'BLAME_STORAGE_FAILED',
      `The tape ${id} in ${store.location} holds no blame result: it was not written by @trace/blame. Delete it, or blame the run again.`,
      { details: { run, id } },
    );
  if (stored.version !== 1)
    throw new BlameError(
      'BLAME_STORAGE_FAILED',
      `The blame stored as ${id} has version ${String(stored.version)}, which this @trace/blame does not read: upgrade @trace/blame, or blame the run again.`,
      { details: { run, id, version: String(stored.version) } },
    );
  return stored as BlameResult;
}
