// As @trace/redact exports them: the headers always dropped, and the engine's options.
export { CREDENTIAL_HEADERS, type RedactionOptions } from '@trace/redact';
// As @trace/tape exports it: what a recording appends to.
export type { TapeSink } from '@trace/tape';
export type { Difference } from './diff.js';
export { TransportError, TransportErrorCode } from './errors.js';
export { findDivergence } from './find.js';
export {
  type CanonicalRequest,
  MATCHED_HEADERS,
  type MatchOptions,
  type UrlPart,
} from './match.js';
export {
  MODE_VARIABLE,
  MODES,
  type Mode,
  openTransport,
  type Transport,
  type TransportOptions,
} from './modes.js';
export { type RecordingFetch, type RecordOptions, recordFetch } from './record.js';
export type { RedactOptions } from './recorded-form.js';
export {
  describeUnused,
  type ReplayingFetch,
  type ReplayOptions,
  type ReplayReport,
  replayFetch,
  type UnusedExchange,
} from './replay.js';
export { withFetch } from './scope.js';
export { SDK_VOLATILE_HEADERS } from './secrets.js';
