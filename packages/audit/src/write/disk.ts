import { writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/** Writes all of `bytes` at the end of the file, looping over short writes. */
export async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

/**
 * The same, with write(2) on the calling thread. Used when nothing has to wait for an fsync: one
 * short system call costs less than a round trip through libuv's thread pool, and the bytes are
 * the operating system's (they survive the process being killed) before this returns.
 */
export function writeAllSync(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** fsyncs a directory, so names created in it survive a power cut (POSIX needs this). */
export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a directory as a file, and some file systems refuse fsync on one
  // (EINVAL); there the name's durability is up to the file system.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}
