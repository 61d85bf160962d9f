import { type AuditEntry, outsideScopes } from '@trace/spec';
import type { Checkpoint, CheckpointReason } from '../checkpoint.js';
import { AuditError, writeFailed } from '../errors.js';
import { dayFileName } from '../files.js';
import type { LockWatch } from '../lock.js';
import type { AuditDurability } from '../options.js';
import type { RepairRecord } from '../recover.js';
import { type ChainHead, type ChainInput, chainStep } from './chain.js';
import type { Checkpointer } from './checkpointer.js';
import type { EntryClock } from './clock.js';
import type { DayFile } from './day-file.js';
import type { Listeners } from './listeners.js';
import type { PreparedEntry } from './prepare.js';
import { repairEntry } from './prepare.js';
import type { QueuedControl, QueuedEntry, QueueWorker } from './queue.js';

/**
 * Batches larger than this (estimated) go through the thread pool even when nothing waits for an
 * fsync, so one huge batch cannot hold the event loop for long.
 */
const SYNC_WRITE_MAX_BYTES = 1024 * 1024;
/** More than the fixed part of a stored line (hash, prev, seq, ts, type…). */
const LINE_OVERHEAD_BYTES = 400;

/** Where the chain stood when the log was opened. */
export interface CommitStart {
  readonly head: ChainHead;
  /** Time of the newest entry ('' for an empty log). */
  readonly headTs: string;
  /** Day file of the newest entry. */
  readonly headFile: string | undefined;
  /** Repairs made on open, still to be logged in the chain. */
  readonly repairs: readonly RepairRecord[];
}

/** The parts the committer drives. */
export interface CommitParts {
  readonly key: Buffer | undefined;
  readonly durability: AuditDurability;
  readonly dayFile: DayFile;
  readonly checkpointer: Checkpointer;
  readonly listeners: Listeners;
  readonly clock: EntryClock;
  readonly lock: LockWatch;
  /** Sign a `periodic` checkpoint as soon as this many entries follow the last checkpoint. */
  readonly checkpointEvery: number | undefined;
  /** Hears of a periodic checkpoint that failed after its entries were written. */
  readonly warn: (message: string, error: AuditError) => void;
}

interface Chained {
  readonly bytes: Buffer;
  readonly entries: AuditEntry[];
  readonly head: ChainHead;
}

/**
 * Turns queued work into bytes on disk: chains each batch onto the head, writes it into its day
 * file, and only then advances the head and tells callers and listeners. The only place the chain
 * advances. Also runs the control operations (fsync, checkpoint, close) between batches, and logs
 * every repair of the files in the chain before anything else is written.
 *
 * A batch nobody has to fsync for, for the day file already open, is written at once with one
 * write(2) on this thread; anything else (a new day, a failed write to clean up, repairs to log,
 * `durability: 'entry'`) takes the asynchronous path.
 *
 * With `checkpointEvery`, no batch takes the chain more than that many entries past the last
 * checkpoint (see `room`), and the batch that reaches it is followed by a `periodic` checkpoint
 * before anything else is written. Should that checkpoint fail, the next batch tries it again
 * first and is refused if it still fails: the unproven window never grows past the bound.
 */
export class Committer implements QueueWorker<PreparedEntry, AuditEntry, Checkpoint | undefined> {
  private readonly parts: CommitParts;
  private chainHead: ChainHead;
  private headTs: string;
  private headFile: string | undefined;
  private pendingRepairs: RepairRecord[];

  constructor(parts: CommitParts, start: CommitStart) {
    this.parts = parts;
    this.chainHead = start.head;
    this.headTs = start.headTs;
    this.headFile = start.headFile;
    this.pendingRepairs = [...start.repairs];
  }

  /** The last entry written. */
  get head(): ChainHead {
    return this.chainHead;
  }

  writeBatch(batch: QueuedEntry<PreparedEntry, AuditEntry>[]): void | Promise<void> {
    if (this.anchorDue()) return this.anchorThenWrite(batch);
    if (this.canWriteNow(batch)) {
      const chained = this.chain(batch.map((item) => item.value));
      const sizeBefore = this.parts.dayFile.mark();
      try {
        this.parts.dayFile.writeSync(chained.bytes);
      } catch (error) {
        this.parts.dayFile.failed(sizeBefore);
        const failure = writeFailed(error, 'the write failed');
        for (const item of batch) item.reject(failure);
        return;
      }
      this.commit(chained, batch, 0);
      return this.anchorIfDue();
    }
    return this.writeLater(batch).then(() => this.anchorIfDue());
  }

  /** Most entries the next batch may hold: no more than take the chain to the checkpoint bound. */
  room(): number {
    const every = this.parts.checkpointEvery;
    if (every === undefined) return Number.MAX_SAFE_INTEGER;
    const since = this.chainHead.seq - this.parts.checkpointer.covered;
    // A due checkpoint is written before the batch; repair entries logged first count too.
    return Math.max(1, (since >= every ? every : every - since) - this.pendingRepairs.length);
  }

  /** `checkpointEvery` entries (or more) follow the last checkpoint. */
  private anchorDue(): boolean {
    const every = this.parts.checkpointEvery;
    return every !== undefined && this.chainHead.seq - this.parts.checkpointer.covered >= every;
  }

  /**
   * The batch just written reached the bound: sign a checkpoint now, before the queue goes on.
   * Its callers already have their entries, so a failure goes to `warn`; the next batch retries.
   */
  private anchorIfDue(): Promise<void> | undefined {
    if (!this.anchorDue()) return undefined;
    return this.checkpoint('periodic').then(
      () => undefined,
      (error: unknown) => {
        try {
          this.parts.warn(
            `@trace/audit: the checkpoint due every ${this.parts.checkpointEvery} entries failed; the next append tries again before it is written.`,
            this.anchorFailed(error, 'the entries written are in the log, unproven until it is'),
          );
        } catch {
          // A throwing warn function must not stop the queue.
        }
      },
    );
  }

  /** A checkpoint is overdue (an earlier one failed): sign it first, or write nothing. */
  private async anchorThenWrite(batch: QueuedEntry<PreparedEntry, AuditEntry>[]): Promise<void> {
    try {
      await this.checkpoint('periodic');
    } catch (error) {
      const failure = this.anchorFailed(
        error,
        'the entry is NOT in the log, held back so that no more entries stay unproven',
      );
      for (const item of batch) item.reject(failure);
      return;
    }
    await this.writeBatch(batch);
  }

  /** A periodic checkpoint's failure: an AuditError (a lost lock) as it is, else WRITE_FAILED. */
  private anchorFailed(error: unknown, consequence: string): AuditError {
    if (AuditError.isInstance(error)) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return new AuditError(
      'AUDIT_WRITE_FAILED',
      `The checkpoint due every ${this.parts.checkpointEvery} entries could not be written${code ? ` (${code})` : ''}: ${consequence}. Check disk space and permissions; the next append tries again.`,
      { cause: error },
    );
  }

  async runControl(item: QueuedControl<Checkpoint | undefined>): Promise<void> {
    const { dayFile, checkpointer, lock } = this.parts;
    try {
      // Before a sync, checkpoint or close: cut off what a failed write left, and log repairs.
      if (dayFile.needsCleanup || this.pendingRepairs.length > 0) {
        const failure = await this.writeLater([]);
        // A repair that was made but could not be logged must not pass for a clean flush or
        // close: the caller hears of it (the record is in `details.repairs`).
        if (failure !== undefined && this.pendingRepairs.length > 0) {
          throw new AuditError(
            'AUDIT_WRITE_FAILED',
            `A repair of the log could not be recorded in it (${failure.message}). Fix the disk problem and reopen the log; the removed bytes are described in details.repairs.`,
            { cause: failure, details: { repairs: [...this.pendingRepairs] } },
          );
        }
      }
      if (item.kind === 'sync') {
        await dayFile.sync();
        item.resolve(undefined);
      } else if (item.kind === 'checkpoint') {
        item.resolve(await this.checkpoint('manual'));
      } else if (item.kind === 'periodic') {
        item.resolve(
          checkpointer.behind(this.chainHead.seq) ? await this.checkpoint('periodic') : undefined,
        );
      } else {
        await dayFile.close();
        if (checkpointer.behind(this.chainHead.seq)) await this.checkpoint('close');
        lock.lock.release();
        item.resolve(undefined);
      }
    } catch (error) {
      if (item.kind === 'close') {
        await dayFile.abandon();
        lock.lock.release();
      }
      item.reject(writeFailed(error, `${item.kind} failed`));
    }
  }

  /** The fast path applies: no fsync to wait for, nothing to clean up or log, the day's file open. */
  private canWriteNow(batch: QueuedEntry<PreparedEntry, AuditEntry>[]): boolean {
    if (this.parts.durability === 'entry' || this.pendingRepairs.length > 0) return false;
    if (!this.parts.dayFile.readyFor(batch[0]!.day)) return false;
    let estimate = 0;
    for (const item of batch) {
      estimate += item.value.payloadJson.length + LINE_OVERHEAD_BYTES;
      if (estimate > SYNC_WRITE_MAX_BYTES) return false;
    }
    return true;
  }

  /**
   * Writes a batch (after any pending repair entries) through the asynchronous path; returns the
   * failure, already reported to the batch's callers.
   */
  private async writeLater(
    batch: QueuedEntry<PreparedEntry, AuditEntry>[],
  ): Promise<AuditError | undefined> {
    const { dayFile } = this.parts;
    if (batch.length === 0 && this.pendingRepairs.length === 0 && !dayFile.needsCleanup)
      return undefined;
    let sizeBefore: number | undefined;
    try {
      const { ts, day } = this.repairTime(batch);
      await this.openFileFor(day);
      sizeBefore = dayFile.mark();
      const repairs = this.pendingRepairs.map((record) => repairEntry(record, ts));
      const inputs: ChainInput[] = [...repairs, ...batch.map((item) => item.value)];
      if (inputs.length === 0) return undefined;
      const chained = this.chain(inputs);
      await dayFile.write(chained.bytes);
      if (this.parts.durability === 'entry') await dayFile.sync();
      this.pendingRepairs = [];
      this.commit(chained, batch, repairs.length);
    } catch (error) {
      // Nothing of this batch counts: the chain stays at the last good entry, and the next write
      // first cuts off whatever part of this one reached the file (and logs that it did).
      dayFile.failed(sizeBefore);
      const failure = writeFailed(error, 'the write failed');
      for (const item of batch) item.reject(failure);
      return failure;
    }
    return undefined;
  }

  /** Chains `inputs` onto the head, without moving it yet. */
  private chain(inputs: readonly ChainInput[]): Chained {
    let head = this.chainHead;
    let data = '';
    const entries: AuditEntry[] = [];
    for (const input of inputs) {
      const link = chainStep(head, input, this.parts.key);
      data += `${link.line}\n`;
      entries.push(link.entry);
      head = link.head;
    }
    return { bytes: Buffer.from(data, 'utf8'), entries, head };
  }

  /** The batch is on disk: move the head, then tell callers (after `skip` repair entries) and listeners. */
  private commit(
    chained: Chained,
    batch: QueuedEntry<PreparedEntry, AuditEntry>[],
    skip: number,
  ): void {
    this.chainHead = chained.head;
    this.headTs = chained.entries[chained.entries.length - 1]!.ts;
    this.headFile = dayFileName(this.headTs);
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(chained.entries[skip + i]!);
    this.parts.listeners.notify(chained.entries);
  }

  /**
   * The time and day file for a batch, and for any repair entries written before it. A repair
   * takes the time of the entry it precedes; with no entry, the later of the head's time and the
   * start of the open day. Either way it is no earlier than the entry before it, no later than any
   * entry queued after it, and dated for the file it goes into.
   */
  private repairTime(batch: QueuedEntry<PreparedEntry, AuditEntry>[]): {
    ts: string;
    day: string;
  } {
    const first = batch[0];
    if (first) return { ts: first.value.ts, day: first.day };
    const openDay = this.parts.dayFile.day;
    if (openDay === undefined) {
      // The log's own time, read outside any agent's scope (see `checkpoint`).
      const ts = outsideScopes(() => this.parts.clock.next());
      return { ts, day: ts.slice(0, 10) };
    }
    const dayStart = `${openDay}T00:00:00.000Z`;
    return { ts: this.headTs > dayStart ? this.headTs : dayStart, day: openDay };
  }

  /** Opens the day file for `day`: cleans up after a failed write, rotates with a checkpoint. */
  private async openFileFor(day: string): Promise<void> {
    const { dayFile, checkpointer } = this.parts;
    const repair = await dayFile.cutFailedWrite();
    if (repair) this.pendingRepairs.push(repair);
    if (dayFile.readyFor(day)) return;
    const previousDay = dayFile.day;
    await dayFile.close();
    if (
      previousDay !== undefined &&
      previousDay !== day &&
      this.chainHead.seq > 0 &&
      checkpointer.behind(this.chainHead.seq)
    ) {
      await this.checkpoint('rotation');
    }
    await dayFile.open(day);
  }

  /** Signs a checkpoint of the head, once the day file holding it is fsynced. */
  private async checkpoint(reason: CheckpointReason): Promise<Checkpoint> {
    const { lock, dayFile, checkpointer, clock } = this.parts;
    if (!lock.check()) {
      throw new AuditError(
        'AUDIT_LOCK_LOST',
        `The writer lock ${lock.lock.path} was removed or replaced: no checkpoint was signed. Find the other writer, then reopen.`,
      );
    }
    await dayFile.sync();
    // A checkpoint may be made while an agent's run is in scope (a batch appended inside it
    // reaching the bound, a rotation): its time is the log's own, read outside every scope, so it
    // never becomes one of the agent's recorded clock draws.
    const written = await checkpointer.write(reason, this.chainHead, this.headFile, () =>
      outsideScopes(() => clock.next()),
    );
    if (written.repair) this.pendingRepairs.push(written.repair);
    return written.checkpoint;
  }
}
