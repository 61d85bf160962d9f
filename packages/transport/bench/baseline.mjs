// Builds "today's code" for the replay-load benchmark: @trace/errors, @trace/tape and
// @trace/transport as they stood at commit 2804eda, the last commit before the store seam and the
// load-once replay (see build-at.mjs). The old @trace/tape opened SQLite itself: it is given the
// workspace's compiled better-sqlite3.
import { fileURLToPath } from 'node:url';
import { buildAt, importBuilt } from './build-at.mjs';

export const BASELINE_COMMIT = '2804eda';
const sqlite = fileURLToPath(
  new URL('../../store-sqlite/node_modules/better-sqlite3', import.meta.url),
);

/** The folder the old packages were built in, or undefined (the reason printed). */
export function buildBaseline(say = console.log) {
  return buildAt(
    BASELINE_COMMIT,
    { errors: [], tape: ['errors'], transport: ['errors', 'tape'] },
    { links: { tape: { 'better-sqlite3': sqlite } }, say: (line) => say(`baseline ${line}`) },
  );
}

/** The old packages built by `buildBaseline` into `dir`: `{ tape, transport }`. */
export function importBaseline(dir) {
  return importBuilt(dir, ['tape', 'transport']);
}
