/**
 * Opening a store file, and turning SQLite's failures into TapeErrors that name the file.
 */

import { TapeError } from '@trace/tape';
import Database from 'better-sqlite3';
import { createStoreFile } from './create.js';
import { sleep } from './fold.js';
import { inspectFile, ioError } from './header.js';
import {
  APPLICATION_ID,
  FORMAT_NAME,
  migrate,
  readableWithoutUpgrade,
  SCHEMA_VERSION,
} from './schema.js';

/**
 * How hard each committed append is pushed to disk.
 * - `normal`: every append survives the process being killed at any instant (SIGKILL, OOM, a
 *   crash); an operating-system crash or power loss may lose the last appends, never corrupt.
 * - `full`: every append is also flushed to the disk (fsync) before `append` returns, so it
 *   survives power loss too, at the price of one fsync per append.
 */
export type SqliteDurability = 'normal' | 'full';

export interface ConnectionOptions {
  readonly readonly: boolean;
  readonly create: boolean;
  readonly durability: SqliteDurability;
  readonly busyTimeoutMs: number;
}

export function openConnection(path: string, options: ConnectionOptions): Database.Database {
  const state = inspectFile(path);
  if (state === 'missing' && (options.readonly || !options.create)) {
    throw new TapeError(
      'TAPE_NOT_FOUND',
      `${path} does not exist: check the path, or open it with \`create: true\` to start a new store.`,
      {
        details: { path },
      },
    );
  }
  // A new store is built whole and put in place at once (see create.ts), never migrated where
  // another process could open it half made.
  if (state === 'missing') createStoreFile(path);
  return whileBusy(options.busyTimeoutMs, () => openExisting(path, options, state === 'empty'));
}

/**
 * Runs `open` again while it fails with TAPE_BUSY, for up to `timeoutMs`. SQLite's busy handler
 * covers waiting for a lock, but not every moment of another connection's opening: recovering a
 * write-ahead log, or changing the journal mode, answers SQLITE_BUSY at once.
 */
function whileBusy<T>(timeoutMs: number, open: () => T): T {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return open();
    } catch (error) {
      const busy = TapeError.isInstance(error) && error.code === 'TAPE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      sleep(Math.min(50, 2 * attempt) * (0.5 + Math.random()));
    }
  }
}

function openExisting(path: string, options: ConnectionOptions, empty: boolean): Database.Database {
  if (empty && options.readonly) {
    throw new TapeError(
      'TAPE_NOT_A_TAPE',
      `${path} is an empty file, not a tape: check the path.`,
      { details: { path } },
    );
  }

  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly, fileMustExist: options.readonly });
  } catch (error) {
    throw translateSqliteError(path, error);
  }
  try {
    const upgrade = guard(path, () => {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
      const pending = prepareSchema(db, path, options);
      if (!options.readonly) {
        if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      }
      return pending;
    });
    if (upgrade !== undefined) {
      const copy = guard(path, () => upgradedCopy(db, upgrade));
      db.close();
      return copy;
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * A read-only open of a file from an older format that cannot be read as it is: the file is
 * copied into memory (one read transaction: a consistent snapshot), and the copy upgraded. The
 * file is never written; the store reads the file as it was when opened.
 */
function upgradedCopy(db: Database.Database, from: number): Database.Database {
  const copy = new Database(db.serialize());
  try {
    copy.transaction(() => migrate(copy, from))();
    return copy;
  } catch (error) {
    copy.close();
    throw error;
  }
}

/**
 * Checks the file is a tape store this version reads, and upgrades an older one in place: every
 * pending migration in one IMMEDIATE transaction, the version read again under that write lock
 * (another process may have upgraded it meanwhile), so a file is upgraded whole, once. A
 * read-only open never writes: it reads an older file whose pending steps all leave it readable
 * as it is; one from format 3 on that needs an upgrade is read through an upgraded copy in memory
 * (the version returned is where that upgrade starts); one older still is refused.
 */
function prepareSchema(
  db: Database.Database,
  path: string,
  options: ConnectionOptions,
): number | undefined {
  const version = checkSchema(db, path, options);
  if (version === SCHEMA_VERSION) return undefined;
  if (options.readonly) {
    if (readableWithoutUpgrade(version)) return undefined;
    if (version >= UPGRADED_IN_MEMORY_FROM) return version;
    throw new TapeError(
      'TAPE_UPGRADE_NEEDS_WRITE',
      `${path} uses format version ${version}, which must be upgraded to ${SCHEMA_VERSION}: open it once without \`readonly\`.`,
      { details: { path, version, supported: SCHEMA_VERSION } },
    );
  }
  db.transaction(() => {
    const current = checkSchema(db, path, options);
    if (current < SCHEMA_VERSION) migrate(db, current);
  }).immediate();
  return undefined;
}

/**
 * The oldest format a read-only open upgrades in memory: the first with the reference index, the
 * format of the first releases. Files older still are refused until opened once for writing.
 */
const UPGRADED_IN_MEMORY_FROM = 3;

/** The file's format version (0 for a new, empty database); refuses what is not a tape store. */
function checkSchema(db: Database.Database, path: string, options: ConnectionOptions): number {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (applicationId === 0) {
    const tables = db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number };
    if (tables.n > 0 || options.readonly)
      throw notATape(path, 'it is an SQLite database of another application');
    return 0;
  }
  if (applicationId !== APPLICATION_ID)
    throw notATape(path, 'it is an SQLite database of another application');
  if (version > SCHEMA_VERSION) {
    throw new TapeError(
      'TAPE_VERSION_NEWER',
      `${path} was written by a newer @trace/store-sqlite (format version ${version}; this one reads up to ${SCHEMA_VERSION}). Upgrade @trace/store-sqlite to read it.`,
      { details: { path, version, supported: SCHEMA_VERSION } },
    );
  }
  const format = db.prepare("SELECT value FROM trace_meta WHERE key = 'format'").get() as
    | { value: string }
    | undefined;
  if (format?.value !== FORMAT_NAME) throw notATape(path, 'its format marker is missing');
  return version;
}

function notATape(path: string, why: string): TapeError {
  return new TapeError('TAPE_NOT_A_TAPE', `${path} is not a tape: ${why}. Check the path.`, {
    details: { path },
  });
}

/** Runs `fn`, turning a driver error into a TapeError that names `path`. */
export function guard<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw translateSqliteError(path, error);
  }
}

export function translateSqliteError(path: string, error: unknown): unknown {
  if (TapeError.isInstance(error)) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return error;
  const details = { path, sqliteCode: code };
  if (code === 'SQLITE_NOTADB') {
    return new TapeError(
      'TAPE_NOT_SQLITE',
      `${path} is not a tape: it is not an SQLite database. Check the path.`,
      {
        cause: error,
        details,
      },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new TapeError(
      'TAPE_CORRUPT',
      `${path} is damaged (SQLite reports ${code}): restore it from a copy; \`verify\` may say which tape is affected.`,
      { cause: error, details },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new TapeError(
      'TAPE_BUSY',
      `${path} is locked by another connection: close the other writer, or raise \`busyTimeoutMs\`.`,
      { cause: error, details },
    );
  }
  if (code.startsWith('SQLITE_')) {
    return new TapeError(
      'TAPE_IO',
      `Cannot read or write ${path} (SQLite reports ${code}): check permissions and free disk space, and that the store is not read-only.`,
      { cause: error, details },
    );
  }
  return ioError(path, error);
}
