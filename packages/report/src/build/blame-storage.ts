/**
 * Where @trace/blame stores a run's blame result: a tape `<run>.blame` whose metadata
 * `user['@trace/blame']` holds it. The source of truth is @trace/blame's src/storage.ts
 * (`BLAME_METADATA_KEY`, `blameTapeId`); the report keeps its own copy so that it reads a stored
 * blame without depending on @trace/blame at run time. blame-storage.test.ts checks the two agree.
 */

/** The key of the result in the blame tape's `user` metadata (@trace/blame's BLAME_METADATA_KEY). */
export const BLAME_METADATA_KEY = '@trace/blame';

/** The id of the tape that holds run `run`'s blame (@trace/blame's blameTapeId). */
export function blameTapeId(run: string): string {
  return `${run}.blame`;
}
