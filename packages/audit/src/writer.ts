import { type FileHandle, mkdir, open } from 'node:fs/promises';
import {
  type AuditEntry,
  type AuditPayload,
  type DecisionEvent,
  AUDIT_ENTRY_VERSION as ENTRY_VERSION,
  type JsonValue,
  type PhaseEvent,
  type SamplingEvent,
  type ToolCallEvent,
  type VerdictEvent,
} from '@trace/spec';
import { canonicalJson } from './canonical.js';
import {
  type Checkpoint,
  type CheckpointReason,
  checkpointHash,
  signCheckpoint,
} from './checkpoint.js';
import { digest, entryBody, entryLine } from './entry.js';
import { AuditError } from './errors.js';
import { CHECKPOINTS_FILE, dayFileName, inDir } from './files.js';
import { readLastLines } from './lines.js';
import { acquireLock, type WriterLock } from './lock.js';
import { type AuditLogOptions, type Config, readOptions } from './options.js';
import { readRecent } from './read.js';
import { cutTail, type RepairRecord, recover } from './recover.js';
import { redact } from './redact.js';
import {
  decisionPayload,
  type PhaseInput,
  phasePayload,
  REPAIR_EVENT_TYPE,
  samplingPayload,
  summariseSubject,
  toolCallPayload,
  verdictPayload,
} from './vocabulary.js';

/** Per-append options. */
export interface AuditAppendOptions {
  /** The agent session the entry belongs to. */
  readonly session?: string;
}

/** A subscriber to written entries. Decision subjects arrive summarised. */
export type AuditListener = (entry: AuditEntry) => void | Promise<void>;

/** The loop-vocabulary methods, bound to one session by {@link AuditLog.forSession}. */
export interface SessionLog<F = never> {
  readonly session: string;
  append(type: string, payload: object): Promise<AuditEntry | F>;
  phase(event: PhaseInput): Promise<AuditEntry<PhaseEvent> | F>;
  verdict(event: VerdictEvent): Promise<AuditEntry<VerdictEvent> | F>;
  sampling(event: SamplingEvent): Promise<AuditEntry<SamplingEvent> | F>;
  toolCall(event: ToolCallEvent): Promise<AuditEntry<ToolCallEvent> | F>;
  decision(event: DecisionEvent): Promise<AuditEntry<DecisionEvent> | F>;
}

/**
 * An open, locked audit log. `F` is `false` in `onError: 'warn'` mode (appends resolve `false`
 * instead of rejecting) and `never` otherwise.
 */
export interface AuditLog<F = never> {
  /** The log directory. */
  readonly dir: string;
  /** Repairs made when the log was opened (torn last lines cut off and logged). */
  readonly repairs: readonly RepairRecord[];
  /** The last entry written: seq 0 and 64 zeros for an empty log. */
  readonly head: { readonly seq: number; readonly hash: string };
  /** Appends an event of any type (`audit.*` is reserved). Loop types are validated like their methods. */
  append(type: string, payload: object, options?: AuditAppendOptions): Promise<AuditEntry | F>;
  /** Appends a `phase` event. */
  phase(event: PhaseInput, options?: AuditAppendOptions): Promise<AuditEntry<PhaseEvent> | F>;
  /** Appends a `verdict` event. */
  verdict(event: VerdictEvent, options?: AuditAppendOptions): Promise<AuditEntry<VerdictEvent> | F>;
  /** Appends a `sampling` event. */
  sampling(
    event: SamplingEvent,
    options?: AuditAppendOptions,
  ): Promise<AuditEntry<SamplingEvent> | F>;
  /** Appends a `tool_call` event. */
  toolCall(
    event: ToolCallEvent,
    options?: AuditAppendOptions,
  ): Promise<AuditEntry<ToolCallEvent> | F>;
  /** Appends a `decision` record. */
  decision(
    event: DecisionEvent,
    options?: AuditAppendOptions,
  ): Promise<AuditEntry<DecisionEvent> | F>;
  /** The same methods with `session` filled in. */
  forSession(session: string): SessionLog<F>;
  /** Writes every queued entry and fsyncs. */
  flush(): Promise<void>;
  /** Writes and returns a signed checkpoint of the current head. Needs `signingKey`. */
  checkpoint(): Promise<Checkpoint>;
  /** Adds a listener; returns a function that removes it. A listener that throws is reported to `warn` and ignored. */
  subscribe(listener: AuditListener): () => void;
  /** The last `limit` written entries, oldest first, read backwards from the end of the log. */
  readRecent(limit: number): Promise<AuditEntry[]>;
  /** Writes what is queued, writes a `close` checkpoint, fsyncs and releases the lock. */
  close(): Promise<void>;
}

const MAX_BATCH = 4096;
const LOCK_CHECK_MS = 1000;
const TYPE_PATTERN = /^[A-Za-z0-9_.:/-]{1,100}$/;

interface EntryItem {
  readonly kind: 'entry';
  readonly ts: string;
  readonly day: string;
  readonly type: string;
  readonly session: string | undefined;
  readonly payloadJson: string;
  readonly payload: AuditPayload;
  readonly resolve: (entry: AuditEntry) => void;
  readonly reject: (error: unknown) => void;
}

interface ControlItem {
  readonly kind: 'sync' | 'checkpoint' | 'close';
  readonly resolve: (value: Checkpoint | undefined) => void;
  readonly reject: (error: unknown) => void;
}

type Item = EntryItem | ControlItem;

// A Map, not an object literal: a plain lookup by event type would find Object.prototype
// members for types such as `toString` or `constructor` and run them as validators.
const LOOP_VALIDATORS = new Map<string, (payload: never) => AuditPayload>([
  ['phase', phasePayload as never],
  ['verdict', verdictPayload as never],
  ['sampling', samplingPayload as never],
  ['tool_call', toolCallPayload as never],
  ['decision', decisionPayload as never],
]);

/**
 * Opens (creating if needed) the audit log in `dir` for appending. Takes the directory's writer
 * lock, finds the chain's head, cuts off a torn last line left by a crash and logs that repair.
 * Rejects with AUDIT_LOCKED while another writer holds the directory.
 */
export function openAuditLog(
  dir: string,
  options: AuditLogOptions & { readonly onError: 'warn' },
): Promise<AuditLog<false>>;
export function openAuditLog(dir: string, options?: AuditLogOptions): Promise<AuditLog>;
export async function openAuditLog(
  dir: string,
  options: AuditLogOptions = {},
): Promise<AuditLog<false> | AuditLog> {
  const config = readOptions(dir, options);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new AuditError(
      'AUDIT_WRITE_FAILED',
      `Cannot create the audit directory ${dir}: check the path and permissions.`,
      { cause: error, details: { dir } },
    );
  }
  const lock = await acquireLock(dir, config.lockTimeoutMs);
  try {
    const state = await recover(dir, config.key, config.keyId);
    const writer = new Writer(dir, config, lock, state);
    await writer.start(state.repairs);
    return writer;
  } catch (error) {
    lock.release();
    throw error;
  }
}

class Writer implements AuditLog<false> {
  readonly dir: string;
  repairs: readonly RepairRecord[] = [];
  private readonly config: Config;
  private readonly lock: WriterLock;
  private readonly queue: Item[] = [];
  private readonly listeners = new Set<AuditListener>();
  private draining = false;
  private closing = false;
  private lockLost = false;
  private seq: number;
  private hash: string;
  private headFile: string | undefined;
  private lastTs: string;
  private lastCheckpointSeq: number | undefined;
  private lastCheckpointHash: string;
  private handle: FileHandle | undefined;
  private openDay: string | undefined;
  private fileSize = 0;
  private unsynced = false;
  /** A write failed: the open file may hold bytes past `fileSize` that callers were told failed. */
  private dirty = false;
  private pendingRepairs: RepairRecord[] = [];
  private lastMs = Number.NaN;
  /** Time of the last entry written. */
  private headTs: string;
  private lastIso = '';
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    dir: string,
    config: Config,
    lock: WriterLock,
    state: Awaited<ReturnType<typeof recover>>,
  ) {
    this.dir = dir;
    this.config = config;
    this.lock = lock;
    this.seq = state.seq;
    this.hash = state.head;
    this.headFile = state.headFile;
    this.lastTs = state.lastTs;
    this.headTs = state.lastTs;
    this.lastCheckpointSeq = state.lastCheckpoint?.seq;
    this.lastCheckpointHash = state.lastCheckpointHash;
  }

  get head() {
    return { seq: this.seq, hash: this.hash };
  }

  async start(repairs: RepairRecord[]): Promise<void> {
    this.repairs = repairs;
    this.pendingRepairs = [...repairs];
    if (repairs.length > 0) {
      try {
        await this.enqueueControl('sync');
      } catch (error) {
        // The open fails (the caller releases the lock); do not leave the day file open.
        this.closing = true;
        await this.handle?.close().catch(() => undefined);
        this.handle = undefined;
        throw error;
      }
    }
    if (this.config.durability === 'interval') {
      this.timers.push(
        setInterval(
          () =>
            this.unsynced &&
            !this.closing &&
            this.enqueueControl('sync').catch((error: unknown) => {
              // Nobody awaits a background fsync: say so rather than lose durability silently.
              try {
                this.config.warn(
                  '@trace/audit: a background fsync failed; entries since the last one may not survive a power cut.',
                  error as AuditError,
                );
              } catch {
                // A throwing warn function must not break the timer.
              }
            }),
          this.config.fsyncIntervalMs,
        ),
      );
    }
    this.timers.push(
      setInterval(() => {
        if (!this.lock.stillHeld()) this.lockLost = true;
      }, LOCK_CHECK_MS),
    );
    for (const timer of this.timers) timer.unref();
  }

  append(type: string, payload: object, options?: AuditAppendOptions): Promise<AuditEntry | false> {
    return this.guard(() => this.enqueueEntry(type, payload, options?.session));
  }

  phase(event: PhaseInput, options?: AuditAppendOptions) {
    return this.guard(() =>
      this.enqueueEntry('phase', event as never, options?.session),
    ) as Promise<AuditEntry<PhaseEvent> | false>;
  }

  verdict(event: VerdictEvent, options?: AuditAppendOptions) {
    return this.guard(() =>
      this.enqueueEntry('verdict', event as never, options?.session),
    ) as Promise<AuditEntry<VerdictEvent> | false>;
  }

  sampling(event: SamplingEvent, options?: AuditAppendOptions) {
    return this.guard(() =>
      this.enqueueEntry('sampling', event as never, options?.session),
    ) as Promise<AuditEntry<SamplingEvent> | false>;
  }

  toolCall(event: ToolCallEvent, options?: AuditAppendOptions) {
    return this.guard(() =>
      this.enqueueEntry('tool_call', event as never, options?.session),
    ) as Promise<AuditEntry<ToolCallEvent> | false>;
  }

  decision(event: DecisionEvent, options?: AuditAppendOptions) {
    return this.guard(() =>
      this.enqueueEntry('decision', event as never, options?.session),
    ) as Promise<AuditEntry<DecisionEvent> | false>;
  }

  forSession(session: string): SessionLog<false> {
    const options = { session };
    return {
      session,
      append: (type, payload) => this.append(type, payload, options),
      phase: (event) => this.phase(event, options),
      verdict: (event) => this.verdict(event, options),
      sampling: (event) => this.sampling(event, options),
      toolCall: (event) => this.toolCall(event, options),
      decision: (event) => this.decision(event, options),
    };
  }

  async flush(): Promise<void> {
    if (this.closing && this.queue.length === 0 && !this.draining) return;
    await this.enqueueControl('sync');
  }

  async checkpoint(): Promise<Checkpoint> {
    if (!this.config.signingKey) {
      throw new AuditError(
        'AUDIT_INVALID_OPTIONS',
        'checkpoint() needs a signingKey: open the log with signingKey (see generateCheckpointKeys()).',
      );
    }
    return (await this.enqueueControl('checkpoint')) as Checkpoint;
  }

  subscribe(listener: AuditListener): () => void {
    if (typeof listener !== 'function')
      throw new AuditError('AUDIT_INVALID_OPTIONS', 'subscribe() takes a function.');
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  readRecent(limit: number): Promise<AuditEntry[]> {
    return readRecent(this.dir, limit);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.enqueueControl('close', true);
  }

  /** Runs an append, turning failures into `false` plus a warning in `warn` mode. */
  private async guard<T>(run: () => Promise<T>): Promise<T | false> {
    if (this.config.onError === 'throw') return run();
    try {
      return await run();
    } catch (error) {
      const failure = error as AuditError;
      try {
        this.config.warn(`@trace/audit: an entry was not written: ${failure.message}`, failure);
      } catch {
        // A throwing warn function must not turn `false` back into a throw.
      }
      return false;
    }
  }

  private enqueueEntry(
    type: string,
    payload: object,
    session: string | undefined,
  ): Promise<AuditEntry> {
    if (this.closing)
      return Promise.reject(
        new AuditError('AUDIT_CLOSED', 'The audit log is closed: open it again to append.', {
          details: { dir: this.dir },
        }),
      );
    if (this.lockLost) {
      return Promise.reject(
        new AuditError(
          'AUDIT_LOCK_LOST',
          `The writer lock ${this.lock.path} was removed or replaced by another process: this writer stopped to avoid forking the chain. Close it, find the other writer, and reopen.`,
          {
            details: { lockFile: this.lock.path },
          },
        ),
      );
    }
    let settle: { resolve: EntryItem['resolve']; reject: EntryItem['reject'] } | undefined;
    const promise = new Promise<AuditEntry>((resolve, reject) => {
      settle = { resolve, reject };
    });
    try {
      this.queue.push(this.prepare(type, payload, session, settle!.resolve, settle!.reject));
    } catch (error) {
      return Promise.reject(error);
    }
    void this.drain();
    return promise;
  }

  /** Validates, redacts and canonicalises an event now, so a bad event fails its own caller. */
  private prepare(
    type: string,
    payload: object,
    session: string | undefined,
    resolve: EntryItem['resolve'],
    reject: EntryItem['reject'],
  ): EntryItem {
    if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) {
      throw new AuditError(
        'AUDIT_INVALID_EVENT',
        `The event type must be 1-100 characters of letters, digits and _.:/-; got ${JSON.stringify(String(type).slice(0, 40))}.`,
      );
    }
    if (type.startsWith('audit.'))
      throw new AuditError(
        'AUDIT_INVALID_EVENT',
        `Event types starting with "audit." are reserved for the log itself; rename "${type}".`,
      );
    if (
      session !== undefined &&
      (typeof session !== 'string' || session.length === 0 || session.length > 200)
    ) {
      throw new AuditError('AUDIT_INVALID_EVENT', 'session must be a string of 1-200 characters.');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new AuditError('AUDIT_INVALID_EVENT', 'The payload must be a plain JSON object.');
    }
    const validate = LOOP_VALIDATORS.get(type);
    // Redact before validating: validation cuts texts to 200 characters, and a credential cut
    // short is no longer recognisable, so its first characters would reach the disk.
    const scrubbed = this.config.redact ? (redact(payload) as object) : payload;
    const clean = (validate ? validate(scrubbed as never) : scrubbed) as AuditPayload;
    const payloadJson = canonicalJson(clean);
    if (payloadJson.length > this.config.maxPayloadChars) {
      throw new AuditError(
        'AUDIT_INVALID_EVENT',
        `The payload is ${payloadJson.length} characters, over the ${this.config.maxPayloadChars} limit: log a summary or a hash of the large data instead.`,
        {
          details: { chars: payloadJson.length },
        },
      );
    }
    const ts = this.timestamp();
    return {
      kind: 'entry',
      ts,
      day: ts.slice(0, 10),
      type,
      session,
      payloadJson,
      payload: clean,
      resolve,
      reject,
    };
  }

  /** The clock's time as ISO UTC, never earlier than the last entry's, so files and queries stay ordered. */
  private timestamp(): string {
    const value = this.config.now();
    const ms = value instanceof Date ? value.getTime() : value;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 253402300799999) {
      throw new AuditError(
        'AUDIT_INVALID_OPTIONS',
        `The clock returned ${String(value)}: it must return a Date or epoch milliseconds between 1970 and 9999.`,
      );
    }
    // Many entries share a millisecond: format each millisecond once.
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    if (this.lastIso > this.lastTs) this.lastTs = this.lastIso;
    return this.lastTs;
  }

  private enqueueControl(
    kind: ControlItem['kind'],
    allowClosing = false,
  ): Promise<Checkpoint | undefined> {
    if (this.closing && !allowClosing && kind !== 'sync') {
      return Promise.reject(
        new AuditError('AUDIT_CLOSED', 'The audit log is closed: open it again.', {
          details: { dir: this.dir },
        }),
      );
    }
    const promise = new Promise<Checkpoint | undefined>((resolve, reject) => {
      this.queue.push({ kind, resolve, reject });
    });
    void this.drain();
    return promise;
  }

  /** Writes the queue in order, one batch at a time. The only place the chain advances. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const first = this.queue[0]!;
        if (first.kind !== 'entry') {
          this.queue.shift();
          await this.runControl(first);
          continue;
        }
        let n = 1;
        while (n < this.queue.length && n < MAX_BATCH) {
          const next = this.queue[n]!;
          if (next.kind !== 'entry' || next.day !== first.day) break;
          n++;
        }
        await this.writeBatch(this.queue.splice(0, n) as EntryItem[]);
      }
    } finally {
      this.draining = false;
    }
  }

  private async runControl(item: ControlItem): Promise<void> {
    try {
      // Before a sync, checkpoint or close: cut off what a failed write left, and log repairs.
      if (this.dirty || this.pendingRepairs.length > 0) {
        const failure = await this.writeBatch([]);
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
        await this.sync();
        item.resolve(undefined);
      } else if (item.kind === 'checkpoint') {
        item.resolve(await this.writeCheckpoint('manual'));
      } else {
        await this.sync();
        await this.handle?.close();
        this.handle = undefined;
        if (this.config.signingKey && this.lastCheckpointSeq !== this.seq)
          await this.writeCheckpoint('close');
        this.lock.release();
        item.resolve(undefined);
      }
    } catch (error) {
      if (item.kind === 'close') {
        await this.handle?.close().catch(() => undefined);
        this.handle = undefined;
        this.lock.release();
      }
      item.reject(writeFailed(error, `${item.kind} failed`));
    }
  }

  /** Writes a batch (and any pending repair entries); returns the failure, already reported to the batch's callers. */
  private async writeBatch(batch: EntryItem[]): Promise<AuditError | undefined> {
    if (batch.length === 0 && this.pendingRepairs.length === 0 && !this.dirty) return undefined;
    let sizeBefore: number | undefined;
    try {
      const { ts, day } = this.repairTime(batch);
      await this.prepareFile(day);
      sizeBefore = this.fileSize;
      const repairs = this.pendingRepairs.map((record) => repairItem(record, ts));
      const items = repairs.length > 0 ? [...repairs, ...batch] : batch;
      if (items.length === 0) return undefined;
      let seq = this.seq;
      let prev = this.hash;
      let data = '';
      const entries: AuditEntry[] = [];
      for (const item of items) {
        seq++;
        const body = entryBody(
          item.payloadJson,
          prev,
          seq,
          item.session,
          item.ts,
          JSON.stringify(item.type),
        );
        const hash = digest(body, this.config.key);
        data += `${entryLine(body, hash)}\n`;
        const entry: AuditEntry =
          item.session === undefined
            ? {
                v: ENTRY_VERSION,
                seq,
                ts: item.ts,
                type: item.type,
                payload: item.payload,
                prev,
                hash,
              }
            : {
                v: ENTRY_VERSION,
                seq,
                ts: item.ts,
                type: item.type,
                session: item.session,
                payload: item.payload,
                prev,
                hash,
              };
        entries.push(entry);
        prev = hash;
      }
      const bytes = Buffer.from(data, 'utf8');
      await writeAll(this.handle!, bytes);
      this.fileSize += bytes.length;
      this.unsynced = true;
      if (this.config.durability === 'entry') await this.sync();
      this.seq = seq;
      this.hash = prev;
      this.headTs = items[items.length - 1]!.ts;
      this.headFile = dayFileName(this.headTs);
      this.pendingRepairs = [];
      for (let i = repairs.length; i < items.length; i++) items[i]!.resolve(entries[i]!);
      if (this.listeners.size > 0) for (const entry of entries) this.notify(entry);
    } catch (error) {
      // Nothing of this batch counts: the chain stays at the last good entry, and the next write
      // first cuts off whatever part of this one reached the file (and logs that it did).
      this.dirty = true;
      if (sizeBefore !== undefined) this.fileSize = sizeBefore;
      const failure = writeFailed(error, 'the write failed');
      for (const item of batch) item.reject(failure);
      return failure;
    }
    return undefined;
  }

  /**
   * The time and day file for a batch, and for any repair entries written before it. A repair
   * takes the time of the entry it precedes; with no entry, the later of the head's time and the
   * start of the open day. Either way it is no earlier than the entry before it, no later than any
   * entry queued after it, and dated for the file it goes into.
   */
  private repairTime(batch: EntryItem[]): { ts: string; day: string } {
    const first = batch[0];
    if (first) return { ts: first.ts, day: first.day };
    if (this.openDay === undefined) {
      const ts = this.timestamp();
      return { ts, day: ts.slice(0, 10) };
    }
    const dayStart = `${this.openDay}T00:00:00.000Z`;
    return { ts: this.headTs > dayStart ? this.headTs : dayStart, day: this.openDay };
  }

  /** Opens the day file for `day`, rotating (with a checkpoint) and cleaning up after a failed write. */
  private async prepareFile(day: string): Promise<void> {
    if (this.handle && this.dirty) {
      const size = (await this.handle.stat()).size;
      if (size > this.fileSize) {
        this.pendingRepairs.push(
          await cutTail(
            inDir(this.dir, `${this.openDay}.jsonl`),
            `${this.openDay}.jsonl`,
            this.fileSize,
            'failed_write',
          ),
        );
      } else if (size < this.fileSize) {
        throw new AuditError(
          'AUDIT_WRITE_FAILED',
          `The day file ${this.openDay}.jsonl shrank under the writer: something else is modifying the log. Stop it and run verify().`,
        );
      }
      this.dirty = false;
    }
    if (this.handle && this.openDay === day) return;
    if (this.handle) {
      await this.sync();
      await this.handle.close();
      this.handle = undefined;
    }
    if (
      this.openDay !== undefined &&
      this.openDay !== day &&
      this.config.signingKey &&
      this.seq > 0 &&
      this.lastCheckpointSeq !== this.seq
    ) {
      await this.writeCheckpoint('rotation');
    }
    this.openDay = day;
    const handle = await open(inDir(this.dir, `${day}.jsonl`), 'a');
    try {
      this.fileSize = (await handle.stat()).size;
      // A new file's name lives in the directory: fsyncing the file alone does not make it
      // survive a power cut, so sync the directory too (once per day file).
      if (this.fileSize === 0) await syncDir(this.dir);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    this.handle = handle;
    this.dirty = false;
  }

  private async sync(): Promise<void> {
    if (this.handle && this.unsynced) {
      await this.handle.sync();
      this.unsynced = false;
    }
  }

  private async writeCheckpoint(reason: CheckpointReason): Promise<Checkpoint> {
    const signingKey = this.config.signingKey!;
    if (!this.lock.stillHeld()) {
      this.lockLost = true;
      throw new AuditError(
        'AUDIT_LOCK_LOST',
        `The writer lock ${this.lock.path} was removed or replaced: no checkpoint was signed. Find the other writer, then reopen.`,
      );
    }
    await this.sync();
    const path = inDir(this.dir, CHECKPOINTS_FILE);
    // A checkpoint write that failed half-way leaves a torn line: cut it and log the repair with
    // the next batch.
    const repair = await repairCheckpointTail(path);
    if (repair) this.pendingRepairs.push(repair);
    const checkpoint = signCheckpoint(
      {
        v: 1,
        origin: this.config.origin,
        seq: this.seq,
        head: this.hash,
        count: this.seq,
        file: this.seq > 0 ? (this.headFile ?? null) : null,
        prev: this.lastCheckpointHash,
        ts: this.timestamp(),
        reason,
        keyId: this.config.keyId,
        signer: this.config.signer,
      },
      signingKey,
    );
    const handle = await open(path, 'a');
    try {
      const created = (await handle.stat()).size === 0;
      await writeAll(handle, Buffer.from(`${canonicalJson(checkpoint)}\n`));
      await handle.sync();
      if (created) await syncDir(this.dir);
    } finally {
      await handle.close();
    }
    this.lastCheckpointSeq = this.seq;
    this.lastCheckpointHash = checkpointHash(checkpoint);
    try {
      this.config.onCheckpoint?.(checkpoint);
    } catch (error) {
      try {
        this.config.warn(
          '@trace/audit: the onCheckpoint callback threw; the checkpoint is written.',
          writeFailed(error, 'onCheckpoint threw'),
        );
      } catch {
        // A throwing warn function must not fail the rotation or close that wrote the checkpoint.
      }
    }
    return checkpoint;
  }

  /** Never throws: it runs after the batch is on disk and resolved, inside the write's error path. */
  private notify(entry: AuditEntry): void {
    let seen: AuditEntry;
    try {
      seen =
        entry.type === 'decision' ? summariseDecision(entry, this.config.subjectWhitelist) : entry;
    } catch (error) {
      // The subject could not be summarised (an exotic object the caller changed since): the
      // entry is written; listeners simply do not see it.
      this.listenerFailed(error);
      return;
    }
    for (const listener of this.listeners) {
      try {
        const result = listener(seen);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.listenerFailed(error));
        }
      } catch (error) {
        this.listenerFailed(error);
      }
    }
  }

  private listenerFailed(error: unknown): void {
    try {
      this.config.warn(
        '@trace/audit: a listener threw; the entry is written and other listeners still ran.',
        new AuditError(
          'AUDIT_LISTENER_FAILED',
          'An audit listener threw: fix the listener; the entry is written.',
          { cause: error },
        ),
      );
    } catch {
      // A throwing warn function must not break the log either.
    }
  }
}

function repairItem(record: RepairRecord, ts: string): EntryItem {
  const payload = { ...record } as unknown as AuditPayload;
  const noop = () => {};
  return {
    kind: 'entry',
    ts,
    day: ts.slice(0, 10),
    type: REPAIR_EVENT_TYPE,
    session: undefined,
    payloadJson: canonicalJson(payload),
    payload,
    resolve: noop,
    reject: noop,
  };
}

function summariseDecision(entry: AuditEntry, whitelist: readonly string[]): AuditEntry {
  const payload = entry.payload as Record<string, JsonValue>;
  return {
    ...entry,
    payload: { ...payload, subject: summariseSubject(payload.subject, whitelist) },
  };
}

async function repairCheckpointTail(path: string): Promise<RepairRecord | undefined> {
  let tail: Awaited<ReturnType<typeof readLastLines>>;
  try {
    tail = await readLastLines(path, 1);
  } catch {
    return undefined; // No checkpoints file yet.
  }
  return tail.torn ? cutTail(path, CHECKPOINTS_FILE, tail.torn.offset, 'failed_write') : undefined;
}

/** fsyncs a directory, so names created in it survive a power cut (POSIX needs this). */
async function syncDir(dir: string): Promise<void> {
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

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

function writeFailed(error: unknown, what: string): AuditError {
  if (AuditError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new AuditError(
    'AUDIT_WRITE_FAILED',
    `Audit log write failed (${what}${code ? `: ${code}` : ''}): the entry is NOT in the log. Check disk space and permissions, then retry.`,
    {
      cause: error,
    },
  );
}
