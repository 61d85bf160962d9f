import { TraceError } from '@trace/spec';

/**
 * Every stable error code of @trace/tape and of the tape stores built on it (all thrown as
 * `TapeError`, whatever the backend, so that code holding any `TapeStore` handles one class).
 * Documented in the README; never reworded.
 */
export const TapeErrorCode = {
  /** An event handed to `append` is not a valid tape event; `details.path` names the bad field. */
  INVALID_EVENT: 'TAPE_INVALID_EVENT',
  /** Metadata or a run id is not valid. */
  INVALID_ARGUMENT: 'TAPE_INVALID_ARGUMENT',
  /** The store does not exist, and it was opened without `create`. */
  NOT_FOUND: 'TAPE_NOT_FOUND',
  /** The file exists but is not an SQLite database (the SQLite store). */
  NOT_SQLITE: 'TAPE_NOT_SQLITE',
  /** The store exists but is not a tape store (another application's database, an empty file). */
  NOT_A_TAPE: 'TAPE_NOT_A_TAPE',
  /** The file is shorter than its own header says: it was cut off (the SQLite store). */
  TRUNCATED: 'TAPE_TRUNCATED',
  /** The backend reports the store as damaged. */
  CORRUPT: 'TAPE_CORRUPT',
  /** The store was written by a newer version than this one reads. */
  VERSION_NEWER: 'TAPE_VERSION_NEWER',
  /** The store is an older format that must be upgraded, but it was opened read-only. */
  UPGRADE_NEEDS_WRITE: 'TAPE_UPGRADE_NEEDS_WRITE',
  /** Another connection held the store locked for longer than the busy timeout. */
  BUSY: 'TAPE_BUSY',
  /** A run id already holds a tape with different content. */
  ID_CONFLICT: 'TAPE_ID_CONFLICT',
  /** No tape with that run id is in the store (or it was deleted while it was recorded). */
  ID_NOT_FOUND: 'TAPE_ID_NOT_FOUND',
  /** The store holds several tapes and no run id was given. */
  AMBIGUOUS: 'TAPE_AMBIGUOUS',
  /** The store, or a recorder, is closed. */
  CLOSED: 'TAPE_CLOSED',
  /** A stored event or blob cannot be read back as written; `verify` says where. */
  DAMAGED: 'TAPE_DAMAGED',
  /** The store could not be read or written (permissions, disk full, read-only store). */
  IO: 'TAPE_IO',
} as const;
export type TapeErrorCode = (typeof TapeErrorCode)[keyof typeof TapeErrorCode];

/** The error every @trace/tape failure, and every tape store's, is thrown as. */
export class TapeError extends TraceError<TapeErrorCode> {
  static override readonly brand = Symbol.for('@trace/tape.TapeError');
}
