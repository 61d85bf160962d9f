import { type FileHandle, open } from 'node:fs/promises';
import { AuditError } from '../errors.js';
import { inDir } from '../files.js';
import { cutTail, type RepairRecord } from '../recover.js';
import { syncDir, writeAll, writeAllSync } from './disk.js';

/**
 * The open day file (`YYYY-MM-DD.jsonl`) the writer appends to: opening and rotating it, writing,
 * fsyncing, and cutting off what a failed write left behind. It knows nothing of the chain.
 */
export class DayFile {
  private readonly dir: string;
  private handle: FileHandle | undefined;
  private openDay: string | undefined;
  /** Bytes in the file that callers were told are written. */
  private size = 0;
  private unsynced = false;
  /** A write failed: the file may hold bytes past `size` that callers were told failed. */
  private dirty = false;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The day of the file last opened (it stays set if that open failed). */
  get day(): string | undefined {
    return this.openDay;
  }

  /** Bytes written since the last fsync. */
  get hasUnsynced(): boolean {
    return this.unsynced;
  }

  /** A failed write has to be cleaned up before the next one. */
  get needsCleanup(): boolean {
    return this.dirty;
  }

  /** The file for `day` is open and clean: a batch for that day can be written straight away. */
  readyFor(day: string): boolean {
    return this.handle !== undefined && this.openDay === day && !this.dirty;
  }

  /** The size to return to if the write about to start fails. */
  mark(): number {
    return this.size;
  }

  /**
   * Records that a write (or what led up to it) failed: nothing after `sizeBefore` counts, and
   * the next write first cuts off whatever part of the failed one reached the file.
   */
  failed(sizeBefore: number | undefined): void {
    this.dirty = true;
    if (sizeBefore !== undefined) this.size = sizeBefore;
  }

  /**
   * After a failed write, cuts the open file back to the bytes that count and returns the record
   * of what was removed (to be logged in the chain), or undefined when nothing had to go.
   */
  async cutFailedWrite(): Promise<RepairRecord | undefined> {
    if (!this.handle || !this.dirty) return undefined;
    const name = `${this.openDay}.jsonl`;
    const size = (await this.handle.stat()).size;
    let repair: RepairRecord | undefined;
    if (size > this.size) {
      repair = await cutTail(inDir(this.dir, name), name, this.size, 'failed_write');
    } else if (size < this.size) {
      throw new AuditError(
        'AUDIT_WRITE_FAILED',
        `The day file ${name} shrank under the writer: something else is modifying the log. Stop it and run verify().`,
      );
    }
    this.dirty = false;
    return repair;
  }

  /** Opens the file for `day` for appending, fsyncing the directory when the file is new. */
  async open(day: string): Promise<void> {
    this.openDay = day;
    const handle = await open(inDir(this.dir, `${day}.jsonl`), 'a');
    try {
      this.size = (await handle.stat()).size;
      // A new file's name lives in the directory: fsyncing the file alone does not make it
      // survive a power cut, so sync the directory too (once per day file).
      if (this.size === 0) await syncDir(this.dir);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.handle = handle;
    this.dirty = false;
  }

  /** Appends on the calling thread (see writeAllSync); for writes nobody waits to fsync. */
  writeSync(bytes: Buffer): void {
    writeAllSync(this.opened().fd, bytes);
    this.size += bytes.length;
    this.unsynced = true;
  }

  /** Appends through the thread pool. */
  async write(bytes: Buffer): Promise<void> {
    await writeAll(this.opened(), bytes);
    this.size += bytes.length;
    this.unsynced = true;
  }

  /** fsyncs what was written since the last fsync. */
  async sync(): Promise<void> {
    if (this.handle && this.unsynced) {
      await this.handle.sync();
      this.unsynced = false;
    }
  }

  /** fsyncs and closes the file (at rotation and close). */
  async close(): Promise<void> {
    if (!this.handle) return;
    await this.sync();
    await this.handle.close();
    this.handle = undefined;
  }

  /** Closes without fsync and without failing: for giving up after an error. */
  async abandon(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }

  private opened(): FileHandle {
    if (!this.handle)
      throw new AuditError(
        'AUDIT_WRITE_FAILED',
        'No day file is open (opening it failed): fix the cause reported before, then retry.',
      );
    return this.handle;
  }
}
