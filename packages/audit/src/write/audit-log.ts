import { mkdir } from 'node:fs/promises';
import {
  type AuditEntry,
  type DecisionEvent,
  outsideScopes,
  type PhaseEvent,
  type SamplingEvent,
  type ToolCallEvent,
  type VerdictEvent,
} from '@trace/spec';
import type { Checkpoint } from '../checkpoint.js';
import { AuditError } from '../errors.js';
import { acquireLock, LockWatch } from '../lock.js';
import { type AuditLogOptions, type Config, readOptions } from '../options.js';
import { readRecent } from '../read.js';
import { type RecoveredState, type RepairRecord, recover } from '../recover.js';
import type { PhaseInput } from '../vocabulary.js';
import { Checkpointer } from './checkpointer.js';
import { EntryClock } from './clock.js';
import { Committer } from './commit.js';
import { DayFile } from './day-file.js';
import { type AuditListener, Listeners } from './listeners.js';
import { type PreparedEntry, prepareEntry } from './prepare.js';
import { type ControlKind, WriteQueue } from './queue.js';

export type { AuditListener } from './listeners.js';

/** Per-append options. */
export interface AuditAppendOptions {
  /** The agent session the entry belongs to. */
  readonly session?: string;
}

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

/** How often a writer looks at its lock file to notice another process took it. */
const LOCK_CHECK_MS = 1000;

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
    const log = new OpenAuditLog(dir, config, new LockWatch(lock), state);
    await log.start();
    return log;
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * The facade: checks the caller's state (closed, lock lost), prepares each event at once so a bad
 * one fails its own caller, and hands everything else to the queue, in call order. The parts:
 * `prepareEntry` (validate, redact, encode, time), `WriteQueue` (order, batches), `Committer`
 * (chain, write, control operations), `DayFile`, `Checkpointer` and `Listeners`.
 */
class OpenAuditLog implements AuditLog<false> {
  readonly dir: string;
  readonly repairs: readonly RepairRecord[];
  private readonly config: Config;
  private readonly lock: LockWatch;
  private readonly clock: EntryClock;
  private readonly dayFile: DayFile;
  private readonly listeners: Listeners;
  private readonly committer: Committer;
  private readonly queue: WriteQueue<PreparedEntry, AuditEntry, Checkpoint | undefined>;
  private readonly timers: NodeJS.Timeout[] = [];
  private closing = false;
  private periodicQueued = false;

  constructor(dir: string, config: Config, lock: LockWatch, state: RecoveredState) {
    this.dir = dir;
    this.config = config;
    this.lock = lock;
    this.repairs = state.repairs;
    this.clock = new EntryClock(config.now, state.lastTs);
    this.dayFile = new DayFile(dir);
    this.listeners = new Listeners(config.warn, config.subjectWhitelist);
    const checkpointer = new Checkpointer(dir, config, {
      seq: state.lastCheckpoint?.seq,
      hash: state.lastCheckpointHash,
    });
    this.committer = new Committer(
      {
        key: config.key,
        durability: config.durability,
        dayFile: this.dayFile,
        checkpointer,
        listeners: this.listeners,
        clock: this.clock,
        lock,
        checkpointEvery: config.checkpointEveryEntries,
        warn: config.warn,
      },
      {
        head: { seq: state.seq, hash: state.head },
        headTs: state.lastTs,
        headFile: state.headFile,
        repairs: state.repairs,
      },
    );
    this.queue = new WriteQueue(this.committer);
  }

  get head() {
    // A copy: what a caller does with it must not reach the chain.
    const { seq, hash } = this.committer.head;
    return { seq, hash };
  }

  /** Logs the repairs made on open, and starts the fsync, checkpoint and lock-watch timers. */
  async start(): Promise<void> {
    if (this.repairs.length > 0) {
      try {
        await this.control('sync');
      } catch (error) {
        // The open fails (the caller releases the lock); do not leave the day file open.
        this.closing = true;
        await this.dayFile.abandon();
        throw error;
      }
    }
    // The timers are the log's own work: made outside every scope, so that an agent's run that
    // opened the log does not serve their clock reads (a periodic checkpoint's time), and unref'd,
    // so that they never keep the process alive.
    outsideScopes(() => {
      const { durability, fsyncIntervalMs, checkpointIntervalMs } = this.config;
      if (durability === 'interval')
        this.timers.push(setInterval(() => this.backgroundSync(), fsyncIntervalMs));
      if (checkpointIntervalMs !== undefined)
        this.timers.push(setInterval(() => this.periodicCheckpoint(), checkpointIntervalMs));
      this.timers.push(setInterval(() => this.lock.check(), LOCK_CHECK_MS));
    });
    for (const timer of this.timers) timer.unref();
  }

  append(type: string, payload: object, options?: AuditAppendOptions): Promise<AuditEntry | false> {
    return this.guard(() => this.enqueue(type, payload, options?.session));
  }

  phase(event: PhaseInput, options?: AuditAppendOptions) {
    return this.append('phase', event, options) as Promise<AuditEntry<PhaseEvent> | false>;
  }

  verdict(event: VerdictEvent, options?: AuditAppendOptions) {
    return this.append('verdict', event, options) as Promise<AuditEntry<VerdictEvent> | false>;
  }

  sampling(event: SamplingEvent, options?: AuditAppendOptions) {
    return this.append('sampling', event, options) as Promise<AuditEntry<SamplingEvent> | false>;
  }

  toolCall(event: ToolCallEvent, options?: AuditAppendOptions) {
    return this.append('tool_call', event, options) as Promise<AuditEntry<ToolCallEvent> | false>;
  }

  decision(event: DecisionEvent, options?: AuditAppendOptions) {
    return this.append('decision', event, options) as Promise<AuditEntry<DecisionEvent> | false>;
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
    if (this.closing && this.queue.idle) return;
    await this.control('sync');
  }

  async checkpoint(): Promise<Checkpoint> {
    if (!this.config.signingKey) {
      throw new AuditError(
        'AUDIT_INVALID_OPTIONS',
        'checkpoint() needs a signingKey: open the log with signingKey (see generateCheckpointKeys()).',
      );
    }
    return (await this.control('checkpoint')) as Checkpoint;
  }

  subscribe(listener: AuditListener): () => void {
    return this.listeners.subscribe(listener);
  }

  readRecent(limit: number): Promise<AuditEntry[]> {
    return readRecent(this.dir, limit);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.control('close', true);
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

  private enqueue(type: string, payload: object, session: string | undefined): Promise<AuditEntry> {
    if (this.closing)
      return Promise.reject(
        new AuditError('AUDIT_CLOSED', 'The audit log is closed: open it again to append.', {
          details: { dir: this.dir },
        }),
      );
    if (this.lock.lost) {
      return Promise.reject(
        new AuditError(
          'AUDIT_LOCK_LOST',
          `The writer lock ${this.lock.lock.path} was removed or replaced by another process: this writer stopped to avoid forking the chain. Close it, find the other writer, and reopen.`,
          { details: { lockFile: this.lock.lock.path } },
        ),
      );
    }
    let prepared: PreparedEntry;
    try {
      prepared = prepareEntry(type, payload, session, this.config, this.clock);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.entry(prepared, prepared.day);
  }

  private control(kind: ControlKind, allowClosing = false): Promise<Checkpoint | undefined> {
    if (this.closing && !allowClosing && kind !== 'sync') {
      return Promise.reject(
        new AuditError('AUDIT_CLOSED', 'The audit log is closed: open it again.', {
          details: { dir: this.dir },
        }),
      );
    }
    return this.queue.control(kind);
  }

  /**
   * `checkpointIntervalMs`: a checkpoint, if entries were added since the last one. One at a time:
   * a tick that finds the previous one still queued (a slow disk) adds nothing.
   */
  private periodicCheckpoint(): void {
    // A writer that lost its lock writes nothing more; saying so every tick would add nothing.
    if (this.closing || this.periodicQueued || this.lock.lost) return;
    this.periodicQueued = true;
    this.control('periodic')
      .catch((error: unknown) => {
        try {
          this.config.warn(
            '@trace/audit: a periodic checkpoint failed; entries since the last one stay unproven until one is written.',
            error as AuditError,
          );
        } catch {
          // A throwing warn function must not break the timer.
        }
      })
      .finally(() => {
        this.periodicQueued = false;
      });
  }

  /** The `interval` durability's fsync. Nobody awaits it: a failure is reported, not lost. */
  private backgroundSync(): void {
    if (!this.dayFile.hasUnsynced || this.closing) return;
    this.control('sync').catch((error: unknown) => {
      try {
        this.config.warn(
          '@trace/audit: a background fsync failed; entries since the last one may not survive a power cut.',
          error as AuditError,
        );
      } catch {
        // A throwing warn function must not break the timer.
      }
    });
  }
}
