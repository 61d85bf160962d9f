import { open } from 'node:fs/promises';
import { AuditError } from './errors.js';

/** A line longer than this is refused while reading: the writer never writes one. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

const CHUNK = 1024 * 1024;

/** What a forward scan found after the last newline of a file. */
export interface Trailer {
  /** Byte offset where the unterminated bytes start. */
  readonly offset: number;
  /** How many bytes follow the last newline. */
  readonly bytes: number;
  /** The 1-based line number the unterminated bytes would have had. */
  readonly line: number;
}

/**
 * The complete lines found in one read: line `i` is `bytes[starts[i], ends[i])`, without its
 * newline. Valid only during the call: the buffers are reused. Not decoded: a caller that checks
 * lines as bytes never pays for strings.
 */
export interface LineBatch {
  readonly bytes: Buffer;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly count: number;
  /** The 1-based line number of the first line. */
  readonly firstLine: number;
}

/** Called with each batch of lines, in file order. Return false to stop early. */
export type OnLines = (batch: LineBatch) => boolean | undefined;

/** What a forward scan found: how many complete lines, and what followed the last one. */
export interface Scanned {
  readonly lines: number;
  /** The unterminated bytes at the end of the file, if any: a torn write. */
  readonly trailer: Trailer | undefined;
}

/**
 * Reads a file forwards in fixed chunks and hands over the complete lines of each chunk at once,
 * so memory stays bounded by the chunk size plus the longest line, and a caller can run one kind
 * of work over many lines in a row. A line that started in an earlier chunk comes alone.
 */
async function scanLinesRaw(path: string, onLines: OnLines, chunkBytes = CHUNK): Promise<Scanned> {
  const handle = await openForRead(path);
  // Two read buffers: the next chunk is read from disk while this one is being processed.
  let current = Buffer.allocUnsafe(chunkBytes);
  let spare = Buffer.allocUnsafe(chunkBytes);
  let pending: Promise<{ bytesRead: number }> | undefined;
  let starts = new Int32Array(4096);
  let ends = new Int32Array(4096);
  try {
    let carry: Buffer = Buffer.alloc(0);
    let carryAt = 0; // file offset of the first byte of `carry`
    let line = 0;
    let position = 0;
    let result: { bytesRead: number } = await handle.read(current, 0, chunkBytes, position);
    while (result.bytesRead > 0) {
      const chunk = current;
      const length = result.bytesRead;
      const chunkAt = position;
      position += length;
      pending = handle.read(spare, 0, chunkBytes, position);
      let from = 0;
      let nl = chunk.indexOf(10);
      if (nl !== -1 && nl < length && carry.length > 0) {
        // The line that started in an earlier chunk ends here.
        const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
        starts[0] = 0;
        ends[0] = joined.length;
        line++;
        if (onLines({ bytes: joined, starts, ends, count: 1, firstLine: line }) === false)
          return { lines: line, trailer: undefined };
        carry = Buffer.alloc(0);
        from = nl + 1;
        nl = chunk.indexOf(10, from);
      }
      let count = 0;
      while (nl !== -1 && nl < length) {
        if (count === starts.length) {
          starts = grow(starts);
          ends = grow(ends);
        }
        starts[count] = from;
        ends[count] = nl;
        count++;
        from = nl + 1;
        nl = chunk.indexOf(10, from);
      }
      if (count > 0) {
        if (onLines({ bytes: chunk, starts, ends, count, firstLine: line + 1 }) === false)
          return { lines: line + count, trailer: undefined };
        line += count;
      }
      if (from < length) {
        if (carry.length === 0) carryAt = chunkAt + from;
        carry =
          carry.length > 0
            ? Buffer.concat([carry, chunk.subarray(from, length)])
            : Buffer.from(chunk.subarray(from, length));
        if (carry.length > MAX_LINE_BYTES) {
          throw new AuditError(
            'AUDIT_READ_FAILED',
            `A line in ${path} is longer than ${MAX_LINE_BYTES} bytes: this is not an audit log file.`,
            { details: { path, offset: carryAt } },
          );
        }
      }
      result = await pending;
      pending = undefined;
      current = spare;
      spare = chunk;
    }
    return {
      lines: line,
      trailer:
        carry.length > 0 ? { offset: carryAt, bytes: carry.length, line: line + 1 } : undefined,
    };
  } finally {
    // Never close the file under a read still in flight.
    if (pending) await pending.catch(() => undefined);
    await handle.close();
  }
}

function grow(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** What a backward read of a file's end found. */
export interface TailLines {
  /** Up to `limit` complete lines, in file order. */
  readonly lines: string[];
  /** Byte offset of the first returned line. */
  readonly firstOffset: number;
  /** Unterminated bytes after the last newline, if any. */
  readonly torn: { readonly offset: number; readonly bytes: number } | undefined;
  /** Size of the file when read. */
  readonly size: number;
}

/**
 * Reads the last `limit` complete lines of a file by reading backwards from its end in chunks,
 * never the whole file.
 */
async function readLastLinesRaw(
  path: string,
  limit: number,
  chunkSize = 64 * 1024,
): Promise<TailLines> {
  const handle = await openForRead(path);
  try {
    const size = (await handle.stat()).size;
    let position = size;
    let carry = Buffer.alloc(0);
    const lines: string[] = [];
    let torn: TailLines['torn'];
    let tornChecked = false;
    let firstOffset = size;
    while (position > 0 && lines.length < limit) {
      const length = Math.min(chunkSize, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      await readFully(handle, chunk, position);
      carry = carry.length === 0 ? chunk : Buffer.concat([chunk, carry]);
      if (carry.length > MAX_LINE_BYTES) {
        throw new AuditError(
          'AUDIT_READ_FAILED',
          `A line in ${path} is longer than ${MAX_LINE_BYTES} bytes: this is not an audit log file.`,
          { details: { path } },
        );
      }
      let end = carry.length;
      if (!tornChecked) {
        const lastNl = carry.lastIndexOf(10);
        if (lastNl === -1 && position > 0) continue; // no newline yet: read further back
        tornChecked = true;
        if (lastNl !== carry.length - 1) {
          torn = { offset: position + lastNl + 1, bytes: carry.length - lastNl - 1 };
        }
        end = lastNl + 1;
        if (lastNl === -1) break;
      }
      // `end` is just after a newline: collect complete lines walking back from it.
      // lastIndexOf with a negative offset counts from the end: never pass one.
      let nl = end >= 2 ? carry.lastIndexOf(10, end - 2) : -1;
      while (nl !== -1 && lines.length < limit) {
        lines.push(carry.toString('utf8', nl + 1, end - 1));
        firstOffset = position + nl + 1;
        end = nl + 1;
        nl = end >= 2 ? carry.lastIndexOf(10, end - 2) : -1;
      }
      if (position === 0 && lines.length < limit && end > 0) {
        lines.push(carry.toString('utf8', 0, end - 1));
        firstOffset = 0;
        end = 0;
      }
      carry = carry.subarray(0, end);
    }
    lines.reverse();
    return { lines, firstOffset, torn, size };
  } finally {
    await handle.close();
  }
}

async function readFully(
  handle: import('node:fs/promises').FileHandle,
  chunk: Buffer,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesRead } = await handle.read(chunk, done, chunk.length - done, position + done);
    if (bytesRead === 0)
      throw new AuditError(
        'AUDIT_READ_FAILED',
        'An audit file shrank while being read: retry.',
        {},
      );
    done += bytesRead;
  }
}

async function openForRead(path: string) {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw new AuditError(
      'AUDIT_READ_FAILED',
      `Cannot open ${path} for reading: check it exists and is readable.`,
      {
        cause: error,
        details: { path },
      },
    );
  }
}

/**
 * Reads a file forwards and yields its complete lines one chunk at a time; the generator only
 * reads on when the consumer asks, so memory stays bounded however slow the consumer is. The
 * unterminated bytes at the end, if any, are not yielded.
 */
export async function* lineChunks(path: string): AsyncGenerator<string[], void, undefined> {
  const handle = await openForRead(path);
  try {
    let buffer = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    let position = 0;
    for (;;) {
      if (filled === buffer.length) {
        if (buffer.length >= MAX_LINE_BYTES) {
          throw new AuditError(
            'AUDIT_READ_FAILED',
            `A line in ${path} is longer than ${MAX_LINE_BYTES} bytes: this is not an audit log file.`,
            { details: { path } },
          );
        }
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      const end = filled + bytesRead;
      const lines: string[] = [];
      let from = 0;
      let nl = buffer.indexOf(10, filled);
      while (nl !== -1 && nl < end) {
        lines.push(buffer.toString('utf8', from, nl));
        from = nl + 1;
        nl = buffer.indexOf(10, from);
      }
      buffer.copy(buffer, 0, from, end);
      filled = end - from;
      if (lines.length > 0) yield lines;
    }
  } finally {
    await handle.close();
  }
}

/**
 * See {@link scanLinesRaw}; file-system failures surface as AUDIT_READ_FAILED. `chunkBytes` is
 * for tests, which use small chunks to put lines across chunk boundaries.
 */
export function scanLines(path: string, onLines: OnLines, chunkBytes?: number): Promise<Scanned> {
  return scanLinesRaw(path, onLines, chunkBytes).catch((error: unknown) =>
    rethrowRead(error, path),
  );
}

/** See {@link readLastLinesRaw}; file-system failures surface as AUDIT_READ_FAILED. */
export function readLastLines(
  path: string,
  limit: number,
  chunkSize = 64 * 1024,
): Promise<TailLines> {
  return readLastLinesRaw(path, limit, chunkSize).catch((error: unknown) =>
    rethrowRead(error, path),
  );
}

function rethrowRead(error: unknown, path: string): never {
  if (AuditError.isInstance(error)) throw error;
  throw new AuditError(
    'AUDIT_READ_FAILED',
    `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}. Check that it is a readable audit file.`,
    {
      cause: error,
      details: { path },
    },
  );
}
