export type {
  AnnotationEvent,
  Chunk,
  DeterminismBoundary,
  DrawEvent,
  ExchangeEvent,
  ExchangeTiming,
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
export { fingerprintEvents } from './fingerprint.js';
export {
  type MemoryStoreOptions,
  MemoryTapeStore,
  openMemoryStore,
} from './memory/memory-store.js';
export { AppendQueue, type TapeSink } from './store/append-queue.js';
export type {
  Awaitable,
  DeleteResult,
  RecordTapeOptions,
  SaveResult,
  SaveTapeOptions,
  TapeRecorder,
  TapeStore,
  TapeSummary,
} from './store/interface.js';
export type { SyncTapeRecorder } from './store/sync-recorder.js';
export type {
  EventRef,
  TapeVerification,
  TapeVerifyProblem,
  TapeVerifyReport,
} from './store/verify-report.js';
export {
  type CreateTapeOptions,
  type EventCounts,
  Tape,
  type TapeAppendOptions,
} from './tape.js';
