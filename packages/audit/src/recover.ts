import { createHash } from 'node:crypto';
import { open, truncate } from 'node:fs/promises';
import { GENESIS_HASH } from '@trace/spec';
import { type Checkpoint, checkpointHash, parseCheckpoint } from './checkpoint.js';
import { canonicalBody, digest, parseLine } from './entry.js';
import { AuditError } from './errors.js';
import { CHECKPOINTS_FILE, exists, inDir, listDayFiles } from './files.js';
import { readLastLines } from './lines.js';

/** A repair the writer made: bytes cut from the end of a file after a crash or failed write. */
export interface RepairRecord {
  /** The file repaired (a day file or checkpoints.jsonl). */
  readonly file: string;
  /** `torn_last_line`: a crash cut the last write short. `failed_write`: a write reported failure. */
  readonly reason: 'torn_last_line' | 'failed_write';
  /** Byte offset the file was cut back to. */
  readonly offset: number;
  /** How many bytes were removed. */
  readonly bytes: number;
  /** SHA-256 of the removed bytes, so they can be matched against a copy taken before repair. */
  readonly sha256: string;
}

/** What the writer needs to know to continue a log. */
export interface RecoveredState {
  readonly seq: number;
  readonly head: string;
  readonly headFile: string | undefined;
  readonly lastTs: string;
  readonly lastCheckpoint: Checkpoint | undefined;
  readonly lastCheckpointHash: string;
  readonly repairs: RepairRecord[];
}

/**
 * Finds the head of an existing log and cuts torn last lines off the newest day file and the
 * checkpoints file. Refuses, rather than forking the chain, when the newest entry does not check
 * under the given key or the log is shorter than its latest checkpoint.
 */
export async function recover(
  dir: string,
  key: Buffer | undefined,
  keyId: string | null,
): Promise<RecoveredState> {
  const repairs: RepairRecord[] = [];
  const files = await listDayFiles(dir);
  let last: string | undefined;
  let headFile: string | undefined;
  // Only the last file holding any bytes can end in a crash artefact; empty newer files were just
  // created by a rotation that wrote nothing yet.
  let atEnd = true;
  for (let i = files.length - 1; i >= 0 && last === undefined; i--) {
    const name = files[i]!;
    const path = inDir(dir, name);
    const tail = await readLastLines(path, 1);
    if (tail.size === 0) continue;
    const repairable = atEnd;
    atEnd = false;
    if (repairable && tail.torn)
      repairs.push(await cutTail(path, name, tail.torn.offset, 'torn_last_line'));
    else if (tail.torn) {
      throw new AuditError(
        'AUDIT_CORRUPT_TAIL',
        `The day file ${name} ends in an unterminated line but is not the newest file: this is not a crash artefact. Run verify() and investigate before appending.`,
        { details: { file: name } },
      );
    }
    if (tail.lines.length > 0) {
      last = tail.lines[tail.lines.length - 1];
      headFile = name;
    }
  }
  let seq = 0;
  let head = GENESIS_HASH;
  let lastTs = '';
  if (last !== undefined) {
    const parsed = parseLine(last);
    if (!parsed.ok) {
      throw new AuditError(
        parsed.kind === 'unsupported_version' ? 'AUDIT_UNSUPPORTED_VERSION' : 'AUDIT_CORRUPT_TAIL',
        `The newest entry in ${headFile} cannot be continued: ${parsed.message}. Run verify() to locate the problem.`,
        { details: { file: headFile } },
      );
    }
    const entry = parsed.entry;
    if (digest(canonicalBody(entry), key) !== entry.hash) {
      throw new AuditError(
        'AUDIT_KEY_MISMATCH',
        `The newest entry (seq ${entry.seq} in ${headFile}) does not check under ${key ? 'this HMAC key' : 'plain SHA-256 (no key)'}: the key is wrong or missing, or the entry was altered. Open with the key the log was written with, or run verify().`,
        { details: { file: headFile, seq: entry.seq } },
      );
    }
    seq = entry.seq;
    head = entry.hash;
    lastTs = entry.ts;
  }
  const cpPath = inDir(dir, CHECKPOINTS_FILE);
  let lastCheckpoint: Checkpoint | undefined;
  let lastCheckpointHash = GENESIS_HASH;
  if (await exists(cpPath)) {
    const tail = await readLastLines(cpPath, 1);
    if (tail.torn)
      repairs.push(await cutTail(cpPath, CHECKPOINTS_FILE, tail.torn.offset, 'torn_last_line'));
    const line = tail.lines[0];
    if (line !== undefined) {
      const parsed = parseCheckpoint(line);
      if (typeof parsed === 'string') {
        throw new AuditError(
          'AUDIT_CORRUPT_TAIL',
          `The last line of ${CHECKPOINTS_FILE} is not a checkpoint (${parsed}). Run verify() and investigate before appending.`,
          { details: { file: CHECKPOINTS_FILE } },
        );
      }
      lastCheckpoint = parsed;
      lastCheckpointHash = checkpointHash(parsed);
    }
  }
  if (lastCheckpoint) {
    if (lastCheckpoint.seq > seq || (lastCheckpoint.seq === seq && lastCheckpoint.head !== head)) {
      throw new AuditError(
        'AUDIT_CHECKPOINT_AHEAD',
        `The latest checkpoint covers seq ${lastCheckpoint.seq} (head ${lastCheckpoint.head.slice(0, 12)}…) but the log ends at seq ${seq}: entries are missing or were rewritten. Appending would fork the chain; run verify() and restore the missing files.`,
        { details: { checkpointSeq: lastCheckpoint.seq, logSeq: seq } },
      );
    }
    if (lastCheckpoint.keyId !== keyId) {
      throw new AuditError(
        'AUDIT_KEY_MISMATCH',
        `The log was checkpointed with ${lastCheckpoint.keyId === null ? 'no HMAC key' : `HMAC key ${lastCheckpoint.keyId}`} but is being opened with ${keyId === null ? 'none' : `key ${keyId}`}: open it with the same key.`,
        { details: { expected: lastCheckpoint.keyId, got: keyId } },
      );
    }
  }
  return { seq, head, headFile, lastTs, lastCheckpoint, lastCheckpointHash, repairs };
}

/** Cuts a file back to `offset`, returning the record of what was removed. */
export async function cutTail(
  path: string,
  file: string,
  offset: number,
  reason: RepairRecord['reason'],
): Promise<RepairRecord> {
  const handle = await open(path, 'r');
  let removed: Buffer;
  try {
    const size = (await handle.stat()).size;
    removed = Buffer.alloc(Math.max(0, size - offset));
    if (removed.length > 0) await handle.read(removed, 0, removed.length, offset);
  } finally {
    await handle.close();
  }
  await truncate(path, offset);
  return {
    file,
    reason,
    offset,
    bytes: removed.length,
    sha256: createHash('sha256').update(removed).digest('hex'),
  };
}
