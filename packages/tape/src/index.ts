export { TapeError, type TapeErrorCode } from './errors.js';
export { loadTape, saveTape, verifyTape } from './file.js';
export { fingerprintEvents } from './fingerprint.js';
export { type JsonTextOptions, jsonText } from './json-text.js';
export type {
  AnnotationEvent,
  Chunk,
  DeterminismBoundary,
  DrawEvent,
  ExchangeEvent,
  HeaderList,
  JsonValue,
  RecordedBody,
  RecordedError,
  RecordedRequest,
  RecordedResponse,
  StreamEnd,
  TapeEvent,
  TapeEventType,
  TapeMetadata,
} from './model.js';
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
