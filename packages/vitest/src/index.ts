/**
 * @trace/vitest: a tape per vitest test — recorded on the first run, replayed strictly in CI,
 * re-recorded with `vitest -u` — on @trace/run. The plugin for the vitest config is
 * `@trace/vitest/plugin`.
 */
export { TraceVitestError, TraceVitestErrorCode } from './errors.js';
export {
  type TraceFixtureDefinitions,
  type TraceFixtures,
  test,
  traceFixtures,
} from './fixture.js';
export type { TraceTestOptions } from './options.js';
export { tapeIdOf } from './tape-id.js';
