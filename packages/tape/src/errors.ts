import { TraceError, type TraceErrorOptions } from '@trace/errors';

/** Every stable error code @trace/tape throws. Documented in the README; never reworded. */
export type TapeErrorCode =
  /** An event handed to `append` is not a valid tape event; `details.path` names the bad field. */
  | 'TAPE_INVALID_EVENT'
  /** Metadata or a run id is not valid. */
  | 'TAPE_INVALID_ARGUMENT'
  /** The file does not exist, and the store was opened without `create`. */
  | 'TAPE_NOT_FOUND'
  /** The file exists but is not an SQLite database. */
  | 'TAPE_NOT_SQLITE'
  /** The file is an SQLite database but not a tape store. */
  | 'TAPE_NOT_A_TAPE'
  /** The file is shorter than its own header says: it was cut off. */
  | 'TAPE_TRUNCATED'
  /** SQLite reports the file as damaged. */
  | 'TAPE_CORRUPT'
  /** The file was written by a newer version of @trace/tape. */
  | 'TAPE_VERSION_NEWER'
  /** The file is an older format that must be upgraded, but the store was opened read-only. */
  | 'TAPE_UPGRADE_NEEDS_WRITE'
  /** Another connection held the file locked for longer than the busy timeout. */
  | 'TAPE_BUSY'
  /** A run id already holds a tape with different content. */
  | 'TAPE_ID_CONFLICT'
  /** No tape with that run id is in the store. */
  | 'TAPE_ID_NOT_FOUND'
  /** The store holds several tapes and no run id was given. */
  | 'TAPE_AMBIGUOUS'
  /** The store, or a recorder, is closed. */
  | 'TAPE_CLOSED'
  /** A stored event or blob cannot be read back; `verify` says where. */
  | 'TAPE_DAMAGED'
  /** The file could not be read or written (permissions, disk full, read-only store). */
  | 'TAPE_IO';

/** The error every @trace/tape failure is thrown as. */
export class TapeError extends TraceError {
  static override readonly brand = Symbol.for('@trace/tape.TapeError');
  declare readonly code: TapeErrorCode;

  constructor(code: TapeErrorCode, message: string, options?: TraceErrorOptions) {
    super(code, message, options);
  }
}
