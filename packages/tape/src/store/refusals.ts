/**
 * The refusals every store makes, worded once: a backend builds one `StoreRefusals` for its
 * location and throws what it returns, so the same failure reads the same from every backend.
 */
import { randomBytes } from 'node:crypto';
import { TapeError } from '../errors.js';

export class StoreRefusals {
  readonly #location: string;
  readonly #where: Readonly<Record<string, unknown>>;

  /**
   * `location` names the store in messages; `where` is put in every error's `details` (the
   * SQLite store gives `{ path }`). Default `{ location }`.
   */
  constructor(location: string, where: Readonly<Record<string, unknown>> = { location }) {
    this.#location = location;
    this.#where = where;
  }

  closed(): TapeError {
    return new TapeError('TAPE_CLOSED', `The store ${this.#location} is closed: open it again.`, {
      details: this.#where,
    });
  }

  /** A recorder whose store was closed. */
  recorderClosed(id: string): TapeError {
    return new TapeError(
      'TAPE_CLOSED',
      `The store ${this.#location} is closed: this recorder can append no more.`,
      { details: { ...this.#where, id } },
    );
  }

  finished(id: string): TapeError {
    return new TapeError(
      'TAPE_CLOSED',
      `Tape ${id} is finished: record a new tape to append more.`,
      { details: { ...this.#where, id } },
    );
  }

  /** A recorder whose tape was deleted while it was recording. */
  deletedWhileRecording(id: string): TapeError {
    return new TapeError(
      'TAPE_ID_NOT_FOUND',
      `Tape ${id} was deleted from ${this.#location} while it was being recorded: record a new tape.`,
      { details: { ...this.#where, id } },
    );
  }

  idTaken(id: string): TapeError {
    return new TapeError(
      'TAPE_ID_CONFLICT',
      `${this.#location} already holds a tape with run id ${id}: record under a new id.`,
      { details: { ...this.#where, id } },
    );
  }

  differentContent(id: string, stored: string, given: string): TapeError {
    return new TapeError(
      'TAPE_ID_CONFLICT',
      `${this.#location} already holds a different tape under run id ${id} (fingerprint ${stored}, not ${given}): save it under a new id.`,
      { details: { ...this.#where, id, stored, given } },
    );
  }

  notFound(id: string): TapeError {
    return new TapeError(
      'TAPE_ID_NOT_FOUND',
      `${this.#location} holds no tape with run id ${id}: see \`list()\` for the ids it holds.`,
      { details: { ...this.#where, id } },
    );
  }

  /** `load()` without an id, on a store that does not hold exactly one tape. */
  notOnlyOne(ids: readonly string[]): TapeError {
    if (ids.length === 0) {
      return new TapeError(
        'TAPE_ID_NOT_FOUND',
        `${this.#location} holds no tape yet: record or save one first.`,
        { details: this.#where },
      );
    }
    return new TapeError(
      'TAPE_AMBIGUOUS',
      `${this.#location} holds ${ids.length} tapes: pass the run id of the one to load (see \`list()\`).`,
      { details: { ...this.#where, ids } },
    );
  }

  damaged(id: string, why: string, seq?: number): TapeError {
    return new TapeError(
      'TAPE_DAMAGED',
      `Tape ${id} in ${this.#location} is damaged: ${why}. Run \`verify\` for a full report.`,
      { details: { ...this.#where, id, ...(seq === undefined ? {} : { seq }) } },
    );
  }
}

/**
 * The id a replacing recording is staged under until it takes its own: printable, within the
 * 200-character limit, and unlikely to meet a user's id.
 */
export function stagingId(id: string): string {
  return `${id.slice(0, 180)}~next-${randomBytes(4).toString('hex')}`;
}
