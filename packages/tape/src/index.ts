export type {
  AnnotationEvent,
  Chunk,
  DeterminismBoundary,
  DrawEvent,
  ExchangeEvent,
  HeaderList,
  RecordedBody,
  RecordedError,
  RecordedRequest,
  RecordedResponse,
  StreamEnd,
  TapeEvent,
  TapeEventType,
  TapeMetadata,
} from '@trace/spec';
export { TapeError, TapeErrorCode } from './errors.js';
export { loadTape, saveTape, verifyTape } from './file.js';
export { fingerprintEvents } from './fingerprint.js';
export type { TapeRecorder } from './recorder.js';
export type { Durability } from './sqlite/connection.js';
export {
  type OpenStoreOptions,
  openStore,
  type SaveResult,
  type TapeStore,
  type TapeSummary,
} from './store.js';
export { type AppendOptions, type CreateTapeOptions, type EventCounts, Tape } from './tape.js';
export type { EventRef, TapeVerification, VerifyProblem, VerifyReport } from './verify.js';
