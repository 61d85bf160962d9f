// "The previous build" for previous.bench.mjs: @trace/spec, @trace/redact, @trace/tape and
// @trace/transport as they stood at PREVIOUS_COMMIT, the last commit before issue #13 changed
// matching, pairing and pacing (see build-at.mjs).
import { buildAt, importBuilt } from './build-at.mjs';

export const PREVIOUS_COMMIT = 'a4c7257';

/** The folder the previous packages were built in, or undefined (the reason printed). */
export function buildPrevious(say = console.log) {
  return buildAt(
    PREVIOUS_COMMIT,
    { spec: [], redact: ['spec'], tape: ['spec'], transport: ['spec', 'redact', 'tape'] },
    { say: (line) => say(`previous build ${line}`) },
  );
}

/** The previous packages built by `buildPrevious` into `dir`: `{ tape, transport }`. */
export function importPrevious(dir) {
  return importBuilt(dir, ['tape', 'transport']);
}
