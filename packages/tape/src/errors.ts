import { TraceError } from '@trace/spec';

/** Every stable error code @trace/tape throws. Documented in the README; never reworded. */
export const TapeErrorCode = {
  /** An event handed to `append` is not a valid tape event; `details.path` names the bad field. */
  INVALID_EVENT: 'TAPE_INVALID_EVENT',
  /** Metadata or a run id is not valid. */
  INVALID_ARGUMENT: 'TAPE_INVALID_ARGUMENT',
  /** The file does not exist, and the store was opened without `create`. */
  NOT_FOUND: 'TAPE_NOT_FOUND',
  /** The file exists but is not an SQLite database. */
  NOT_SQLITE: 'TAPE_NOT_SQLITE',
  /** The file is an SQLite database but not a tape store. */
  NOT_A_TAPE: 'TAPE_NOT_A_TAPE',
  /** The file is shorter than its own header says: it was cut off. */
  TRUNCATED: 'TAPE_TRUNCATED',
  /** SQLite reports the file as damaged. */
  CORRUPT: 'TAPE_CORRUPT',
  /** The file was written by a newer version of @trace/tape. */
  VERSION_NEWER: 'TAPE_VERSION_NEWER',
  /** The file is an older format that must be upgraded, but the store was opened read-only. */
  UPGRADE_NEEDS_WRITE: 'TAPE_UPGRADE_NEEDS_WRITE',
  /** Another connection held the file locked for longer than the busy timeout. */
  BUSY: 'TAPE_BUSY',
  /** A run id already holds a tape with different content. */
  ID_CONFLICT: 'TAPE_ID_CONFLICT',
  /** No tape with that run id is in the store. */
  ID_NOT_FOUND: 'TAPE_ID_NOT_FOUND',
  /** The store holds several tapes and no run id was given. */
  AMBIGUOUS: 'TAPE_AMBIGUOUS',
  /** The store, or a recorder, is closed. */
  CLOSED: 'TAPE_CLOSED',
  /** A stored event or blob cannot be read back; `verify` says where. */
  DAMAGED: 'TAPE_DAMAGED',
  /** The file could not be read or written (permissions, disk full, read-only store). */
  IO: 'TAPE_IO',
} as const;
export type TapeErrorCode = (typeof TapeErrorCode)[keyof typeof TapeErrorCode];

/** The error every @trace/tape failure is thrown as. */
export class TapeError extends TraceError<TapeErrorCode> {
  static override readonly brand = Symbol.for('@trace/tape.TapeError');
}
