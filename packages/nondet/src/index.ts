/**
 * @trace/nondet: every nondeterministic value an agent reads (clocks, ids, random numbers, named
 * sources) drawn through one seam that records the values and serves them back in order.
 */

export { DrawKind } from '@trace/spec';
export { bigintCodec, bytesCodec, float64Codec } from './codecs.js';
export { DelegatingSource } from './delegating.js';
export { drifting } from './drifting.js';
export { NondetDivergenceError, NondetError, NondetErrorCode } from './errors.js';
export { live, type SeededOptions, seeded } from './generating.js';
export { currentSource, type WithGlobalsOptions, withGlobals } from './globals.js';
export {
  compareLogs,
  type DrawLog,
  type DrawRecord,
  drawLogOf,
  type LogDifference,
  validateLog,
} from './log.js';
export type { LeftoverDraw, LeftoverReport } from './reader.js';
export { type RecordingOptions, type RecordingSource, recording } from './recording.js';
export { type ReplaySource, replay } from './replay.js';
export type { DrawCodec, NondetSource } from './source.js';
export { uuidV7Timestamp } from './uuid.js';
