/**
 * Opening what a command was pointed at: an SQLite tape store (read-only unless the command
 * writes), or a tape reference for commands that read one tape (`store`, `store#id`, or a dump).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openSqliteStore, type SqliteTapeStore } from '@trace/store-sqlite';
import type { Tape } from '@trace/tape';
import { parseDump } from './dump/parse.js';
import { CliError } from './errors.js';

/** Opens a store file; read-only unless `write` (then it is created when missing). */
export function openStore(path: string, cwd: string, write = false): SqliteTapeStore {
  const file = resolve(cwd, path);
  if (!write) {
    if (!existsSync(file)) {
      throw new CliError('CLI_FILE_NOT_FOUND', `No store at ${path}: check the path.`, {
        details: { path },
      });
    }
    if (statSync(file).isDirectory()) {
      throw new CliError(
        'CLI_USAGE',
        `${path} is a folder, not a tape store: point at the .tape.db file inside it.`,
        { details: { path } },
      );
    }
  }
  return openSqliteStore(file, write ? {} : { readonly: true });
}

/** Runs `fn` with a store open, and closes it whatever happens. */
export async function withStore<T>(
  path: string,
  cwd: string,
  fn: (store: SqliteTapeStore) => T | Promise<T>,
  write = false,
): Promise<T> {
  const store = openStore(path, cwd, write);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** The first line every dump starts with; how a tape reference is told to be a dump. */
export const DUMP_MAGIC = '{"trace":"tape-dump"';

/**
 * Loads one tape from a reference: a dump file, a store holding one tape, or `store#id`. A file
 * holding both a `#` and being a real file is taken as the file.
 */
export function loadTapeRef(ref: string, cwd: string, id?: string): Tape {
  let path = ref;
  let tapeId = id;
  const hash = ref.lastIndexOf('#');
  if (tapeId === undefined && hash > 0 && !existsSync(resolve(cwd, ref))) {
    path = ref.slice(0, hash);
    tapeId = ref.slice(hash + 1);
  }
  const file = resolve(cwd, path);
  if (existsSync(file) && statSync(file).isFile() && startsWithDumpMagic(file)) {
    return parseDump(readFileSync(file, 'utf8'), path).tape;
  }
  const store = openStore(path, cwd);
  try {
    return store.load(tapeId);
  } finally {
    store.close();
  }
}

function startsWithDumpMagic(file: string): boolean {
  const head = Buffer.alloc(DUMP_MAGIC.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString('utf8') === DUMP_MAGIC;
}
