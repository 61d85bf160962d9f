import { open, stat } from 'node:fs/promises';
import type { AuditEntry } from '@trace/spec';
import { parseLine } from './entry.js';
import { AuditError } from './errors.js';
import { dayOf, inDir, listDayFiles } from './files.js';
import { lineChunks, MAX_LINE_BYTES, readLastLines } from './lines.js';

/**
 * The last `limit` entries of the log, oldest first. Reads backwards from the end of the newest
 * day file in small chunks (and on into older files only if needed), so the cost depends on
 * `limit`, not on the size of the log. A torn last line is skipped.
 */
export async function readRecent(dir: string, limit: number): Promise<AuditEntry[]> {
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `limit must be an integer, 0 or more; got ${String(limit)}.`,
    );
  const files = await listDayFiles(dir);
  const collected: AuditEntry[][] = [];
  let remaining = limit;
  for (let i = files.length - 1; i >= 0 && remaining > 0; i--) {
    const name = files[i]!;
    const { lines } = await readLastLines(inDir(dir, name), remaining);
    collected.push(lines.map((line, j) => toEntry(line, name, j)));
    remaining -= lines.length;
  }
  return collected.reverse().flat();
}

/** Filters for {@link queryEntries}. All given filters must match. */
export interface AuditQuery {
  /** Only entries of this session. */
  readonly session?: string;
  /** Only entries at or after this time. */
  readonly from?: Date | string;
  /** Only entries at or before this time. */
  readonly to?: Date | string;
  /** Only entries of these types. */
  readonly types?: readonly string[];
}

/**
 * Streams the entries matching `query`, oldest first, across day files, holding one chunk of one
 * file in memory at a time. Files outside the time range are skipped by name, and the scan stops
 * at the first entry after `to` (entry times never run backwards).
 */
export async function* queryEntries(
  dir: string,
  query: AuditQuery = {},
): AsyncGenerator<AuditEntry, void, undefined> {
  const from = query.from === undefined ? undefined : isoOf(query.from, 'from');
  const to = query.to === undefined ? undefined : isoOf(query.to, 'to');
  const types = query.types ? new Set(query.types) : undefined;
  const fromDay = from?.slice(0, 10);
  const toDay = to?.slice(0, 10);
  for (const name of await listDayFiles(dir)) {
    const day = dayOf(name)!;
    if (fromDay !== undefined && day < fromDay) continue;
    if (toDay !== undefined && day > toDay) return;
    let done = false;
    for await (const batch of fileBatches(inDir(dir, name), name)) {
      const out: AuditEntry[] = [];
      for (const entry of batch) {
        if (to !== undefined && entry.ts > to) {
          done = true;
          break;
        }
        if (from !== undefined && entry.ts < from) continue;
        if (query.session !== undefined && entry.session !== query.session) continue;
        if (types !== undefined && !types.has(entry.type)) continue;
        out.push(entry);
      }
      yield* out;
      if (done) return;
    }
  }
}

/** Every entry of the log, oldest first, streamed (the same as an empty {@link queryEntries}). */
export function readEntries(dir: string): AsyncGenerator<AuditEntry, void, undefined> {
  return queryEntries(dir, {});
}

/** Where {@link tailLog} starts. */
export interface TailOptions {
  /** `end` (default): only entries written from now on. `start`: the whole log, then new entries. A number: from that seq on. */
  readonly from?: 'end' | 'start' | number;
  /** How often to look for new bytes and new day files. Default 100 ms. */
  readonly pollIntervalMs?: number;
  /** Ends the iteration when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Follows the log live, as an async iterator: yields entries as they are appended, moving on to
 * the next day file at rotation. Polls (file-system watch events are unreliable across
 * platforms); ends when `signal` aborts or the consumer breaks out of `for await`. A line being
 * written is held back until its newline arrives; a torn line that a writer cuts off is dropped.
 */
export async function* tailLog(
  dir: string,
  options: TailOptions = {},
): AsyncGenerator<AuditEntry, void, undefined> {
  const poll = options.pollIntervalMs ?? 100;
  if (!Number.isFinite(poll) || poll <= 0)
    throw new AuditError('AUDIT_INVALID_OPTIONS', 'pollIntervalMs must be a positive number.');
  const from = options.from ?? 'end';
  // A NaN seq would match no entry and a misspelt word would silently mean 'start': both would
  // leave the caller waiting forever, so refuse them.
  if (
    from !== 'end' &&
    from !== 'start' &&
    !(typeof from === 'number' && Number.isSafeInteger(from) && from >= 0)
  )
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `from must be 'end', 'start' or a seq (an integer, 0 or more); got ${String(from)}.`,
    );
  const minSeq = typeof from === 'number' ? from : 0;
  const signal = options.signal;
  let files = await listDayFiles(dir);
  let index: number;
  let offset = 0;
  if (from === 'end' && files.length > 0) {
    index = files.length - 1;
    const tail = await readLastLines(inDir(dir, files[index]!), 1);
    offset = tail.torn ? tail.torn.offset : tail.size;
  } else {
    index = 0;
  }
  // `offset` always points at the start of the first line not yet complete: unfinished bytes are
  // read again on the next poll rather than kept, so when a writer cuts a torn line off and
  // writes past it, the tail reads the new line from its real start.
  while (!signal?.aborted) {
    const name = files[index];
    let progressed = false;
    if (name !== undefined) {
      const path = inDir(dir, name);
      const size = await sizeOf(path);
      if (size < offset) offset = size;
      let want = TAIL_CHUNK;
      while (size > offset) {
        const data = await readBytes(path, offset, Math.min(size, offset + want));
        const lastNl = data.lastIndexOf(10);
        if (lastNl === -1) {
          // An unfinished line, or one longer than we read: read more only if more is there.
          if (offset + data.length >= size || want >= MAX_LINE_BYTES) break;
          want *= 2;
          continue;
        }
        offset += lastNl + 1;
        progressed = true;
        for (const line of data.toString('utf8', 0, lastNl).split('\n')) {
          const entry = tailEntry(line);
          if (entry !== undefined && entry.seq >= minSeq) yield entry;
          if (signal?.aborted) return;
        }
        break;
      }
    }
    if (progressed) continue;
    files = await listDayFiles(dir);
    const nextIndex = name === undefined ? 0 : files.indexOf(name) + 1;
    if (nextIndex > 0 && nextIndex < files.length) {
      // Re-check the current file once more before leaving it, so no last entry is skipped.
      if ((await sizeOf(inDir(dir, name!))) > offset) {
        await sleep(poll, signal);
        continue;
      }
      index = nextIndex;
      offset = 0;
      continue;
    }
    if (name === undefined && files.length > 0) {
      index = 0;
      offset = 0;
      continue;
    }
    await sleep(poll, signal);
  }
}

async function* fileBatches(
  path: string,
  name: string,
): AsyncGenerator<AuditEntry[], void, undefined> {
  let index = 0;
  for await (const lines of lineChunks(path)) {
    yield lines.map((line) => toEntry(line, name, index++));
  }
}

function toEntry(line: string, file: string, index: number): AuditEntry {
  const parsed = parseLine(line);
  if (!parsed.ok) {
    throw new AuditError(
      parsed.kind === 'unsupported_version' ? 'AUDIT_UNSUPPORTED_VERSION' : 'AUDIT_READ_FAILED',
      `Cannot read an entry of ${file}: ${parsed.message}. Run verify() to locate the damage.`,
      {
        details: { file, index },
      },
    );
  }
  return parsed.entry;
}

function isoOf(value: Date | string, name: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new AuditError(
      'AUDIT_INVALID_OPTIONS',
      `query.${name} must be a Date or an ISO 8601 time.`,
    );
  return date.toISOString();
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

const TAIL_CHUNK = 1024 * 1024;

async function readBytes(path: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const ENTRY_START = '{"hash":"';

/**
 * Parses a line seen by the tail. A line glued onto the leftover of a torn write that a writer
 * cut off and then wrote past is recovered from its last entry start; anything else unreadable
 * is skipped rather than ending the tail (verify() is the tool that reports damage).
 */
function tailEntry(line: string): AuditEntry | undefined {
  const parsed = parseLine(line);
  if (parsed.ok) return parsed.entry;
  for (let at = line.indexOf(ENTRY_START, 1); at !== -1; at = line.indexOf(ENTRY_START, at + 1)) {
    const retry = parseLine(line.slice(at));
    if (retry.ok) return retry.entry;
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
