/**
 * @trace/tape/backend: the kit a tape store backend is built with. A backend stores what it is
 * handed and hands it back; the kit does the rest, the same for every backend — encoding and
 * chaining events (`TapeChain`, `encodedEventsOf`), rebuilding a tape from stored records and
 * blobs while proving them (`TapeReader`), verification (`verifyStoredTapes`), and the wording
 * of every refusal (`StoreRefusals`). Run `@trace/tape/conformance` against the result.
 */
export { type BlobLookup, type BlobShape, blobDigestsOf, blobLayoutOf } from './decoding.js';
export type { BlobRef } from './encoding.js';
export { type EncodedTapeEvent, encodedEventsOf, TapeChain } from './store/chain.js';
export { readMetadata } from './store/metadata.js';
export { TapeReader } from './store/reader.js';
export { StoreRefusals, stagingId } from './store/refusals.js';
export type {
  StoredBlob,
  StoredChunk,
  StoredEventRecord,
  StoredTapeHeader,
  StoredTapeState,
} from './store/stored.js';
export { SyncTapeRecorder } from './store/sync-recorder.js';
export { type TapeToVerify, type VerifySource, verifyStoredTapes } from './store/verify.js';
export { validRunId } from './tape.js';
