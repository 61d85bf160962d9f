import type { KeyObject } from 'node:crypto';
import { open } from 'node:fs/promises';
import { canonicalJson } from '../canonical.js';
import {
  type Checkpoint,
  type CheckpointReason,
  checkpointHash,
  signCheckpoint,
} from '../checkpoint.js';
import { type AuditError, writeFailed } from '../errors.js';
import { CHECKPOINTS_FILE, inDir } from '../files.js';
import { readLastLines } from '../lines.js';
import { cutTail, type RepairRecord } from '../recover.js';
import type { ChainHead } from './chain.js';
import { syncDir, writeAll } from './disk.js';

/** What the checkpointer needs of the writer's options. */
export interface CheckpointSettings {
  readonly signingKey: KeyObject | undefined;
  readonly origin: string;
  readonly keyId: string | null;
  readonly signer: string;
  readonly onCheckpoint: ((checkpoint: Checkpoint) => void) | undefined;
  readonly warn: (message: string, error: AuditError) => void;
}

/** A checkpoint written, and the repair of a torn checkpoints.jsonl made first, if any. */
export interface CheckpointWritten {
  readonly checkpoint: Checkpoint;
  readonly repair: RepairRecord | undefined;
}

/**
 * Signs checkpoints of the chain's head and appends them to checkpoints.jsonl, each linked to the
 * one before, fsynced before it counts. Knows the last checkpoint written, so the writer can skip
 * one that would say nothing new.
 */
export class Checkpointer {
  private readonly dir: string;
  private readonly settings: CheckpointSettings;
  private lastSeq: number | undefined;
  private lastHash: string;

  constructor(
    dir: string,
    settings: CheckpointSettings,
    last: { readonly seq: number | undefined; readonly hash: string },
  ) {
    this.dir = dir;
    this.settings = settings;
    this.lastSeq = last.seq;
    this.lastHash = last.hash;
  }

  /** A signing key was given: checkpoints can be written. */
  get enabled(): boolean {
    return this.settings.signingKey !== undefined;
  }

  /** The seq the last checkpoint covers (0 when there is none yet). */
  get covered(): number {
    return this.lastSeq ?? 0;
  }

  /** Checkpoints are on and the last one does not cover `seq` yet. */
  behind(seq: number): boolean {
    return this.enabled && this.lastSeq !== seq;
  }

  /**
   * Signs and appends a checkpoint of `head` (`file` is the day file holding it), at the time
   * `now()` gives. A torn last line left by an earlier failed checkpoint write is cut off first;
   * its record comes back for the chain to log.
   */
  async write(
    reason: CheckpointReason,
    head: ChainHead,
    file: string | undefined,
    now: () => string,
  ): Promise<CheckpointWritten> {
    const signingKey = this.settings.signingKey!;
    const path = inDir(this.dir, CHECKPOINTS_FILE);
    const repair = await repairTornLine(path);
    const checkpoint = signCheckpoint(
      {
        v: 1,
        origin: this.settings.origin,
        seq: head.seq,
        head: head.hash,
        count: head.seq,
        file: head.seq > 0 ? (file ?? null) : null,
        prev: this.lastHash,
        ts: now(),
        reason,
        keyId: this.settings.keyId,
        signer: this.settings.signer,
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
    this.lastSeq = head.seq;
    this.lastHash = checkpointHash(checkpoint);
    this.ship(checkpoint);
    return { checkpoint, repair };
  }

  /** Hands the checkpoint to `onCheckpoint`; a throwing callback is reported, never fatal. */
  private ship(checkpoint: Checkpoint): void {
    try {
      this.settings.onCheckpoint?.(checkpoint);
    } catch (error) {
      try {
        this.settings.warn(
          '@trace/audit: the onCheckpoint callback threw; the checkpoint is written.',
          writeFailed(error, 'onCheckpoint threw'),
        );
      } catch {
        // A throwing warn function must not fail the rotation or close that wrote the checkpoint.
      }
    }
  }
}

/** A checkpoint write that failed half-way leaves a torn line: cut it (and say so). */
async function repairTornLine(path: string): Promise<RepairRecord | undefined> {
  let tail: Awaited<ReturnType<typeof readLastLines>>;
  try {
    tail = await readLastLines(path, 1);
  } catch {
    return undefined; // No checkpoints file yet.
  }
  return tail.torn ? cutTail(path, CHECKPOINTS_FILE, tail.torn.offset, 'failed_write') : undefined;
}
