import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from '@trace/spec';
import {
  type Checkpoint,
  checkCheckpointSignature,
  checkpointHash,
  parseCheckpoint,
} from '../checkpoint.js';
import { AuditError } from '../errors.js';
import { CHECKPOINTS_FILE, exists, inDir } from '../files.js';
import { scanLines } from '../lines.js';
import type { Gap } from './integrity.js';
import type {
  AuditVerifyProblem,
  CompletenessProblemKind,
  CompletenessVerdict,
  CrashArtefact,
} from './report.js';

type CompletenessProblem = AuditVerifyProblem<CompletenessProblemKind>;

/** The checkpoints a verifier may rely on, and what is wrong with the others. */
export interface LoadedCheckpoints {
  /** Signed by a given key, of the right origin, in order: the ones completeness rests on. */
  readonly trusted: Checkpoint[];
  readonly problems: CompletenessProblem[];
  /** A torn last line of checkpoints.jsonl. */
  readonly artefacts: CrashArtefact[];
}

/**
 * Reads the checkpoints (from checkpoints.jsonl, or the copies given) and keeps those that are
 * validly signed by one of `publicKeys`, name the right origin and, in the file, link to the one
 * before. Without public keys none can be trusted.
 */
export async function loadCheckpoints(
  dir: string,
  given: readonly Checkpoint[] | undefined,
  origin: string | undefined,
  publicKeys: Map<string, KeyObject> | undefined,
): Promise<LoadedCheckpoints> {
  const result: LoadedCheckpoints = { trusted: [], problems: [], artefacts: [] };
  const fromFile = given === undefined;
  const raw: Array<{ value: Checkpoint | string; line: number | null }> = [];
  if (given !== undefined) {
    if (!Array.isArray(given))
      throw new AuditError(
        'AUDIT_INVALID_OPTIONS',
        'checkpoints must be an array of checkpoint objects.',
      );
    for (const checkpoint of given)
      raw.push({ value: parseCheckpoint(JSON.stringify(checkpoint)), line: null });
  } else {
    const path = inDir(dir, CHECKPOINTS_FILE);
    if (await exists(path)) {
      const { trailer } = await scanLines(path, ({ bytes, starts, ends, count, firstLine }) => {
        for (let i = 0; i < count; i++) {
          const text = bytes.toString('utf8', starts[i], ends[i]);
          raw.push({ value: parseCheckpoint(text), line: firstLine + i });
        }
        return undefined;
      });
      if (trailer)
        result.artefacts.push({
          file: CHECKPOINTS_FILE,
          line: trailer.line,
          offset: trailer.offset,
          bytes: trailer.bytes,
        });
    }
  }
  if (!publicKeys) return result;
  let prevHash = GENESIS_HASH;
  let prevSeq = -1;
  let expectedOrigin = origin;
  const fail = (line: number | null, message: string) => {
    result.problems.push({
      kind: 'checkpoint_invalid',
      file: fromFile ? CHECKPOINTS_FILE : null,
      line,
      seq: null,
      message,
    });
  };
  for (const { value, line } of raw) {
    if (typeof value === 'string') {
      fail(line, `a checkpoint cannot be read: ${value}`);
      continue;
    }
    const publicKey =
      publicKeys.get(value.signer) ??
      (publicKeys.size === 1 ? [...publicKeys.values()][0] : undefined);
    if (!publicKey || !checkCheckpointSignature(value, publicKey)) {
      fail(
        line,
        `the checkpoint for seq ${value.seq} has no valid signature under the given public key: it was altered or forged`,
      );
      continue;
    }
    if (expectedOrigin !== undefined && value.origin !== expectedOrigin) {
      fail(
        line,
        `the checkpoint names origin "${value.origin}", not "${expectedOrigin}": it belongs to another log`,
      );
      continue;
    }
    expectedOrigin ??= value.origin;
    if (fromFile && value.prev !== prevHash) {
      fail(
        line,
        'the checkpoint chain is broken: a checkpoint before this one was removed, altered or reordered',
      );
    }
    if (value.seq < prevSeq)
      fail(line, `checkpoints go backwards: seq ${value.seq} after ${prevSeq}`);
    prevHash = checkpointHash(value);
    prevSeq = Math.max(prevSeq, value.seq);
    result.trusted.push(value);
  }
  return result;
}

/** What the integrity walk found that completeness is judged on. */
export interface WalkedChain {
  readonly gaps: readonly Gap[];
  /** Seq numbers of trusted checkpoints whose head is in the log. */
  readonly seenCheckpoints: ReadonlySet<number>;
  /** The highest seq read. */
  readonly lastSeq: number;
  /** Entries read. */
  readonly checked: number;
}

/**
 * Is anything missing? Gaps in seq are; so is anything a trusted checkpoint covers that the log
 * does not hold (a truncated tail, a deleted day file). The first problem by seq is reported;
 * `no_checkpoint` (nothing could be proven) only when there is no other.
 */
export async function judgeCompleteness(
  dir: string,
  chain: WalkedChain,
  checkpoints: LoadedCheckpoints,
  havePublicKey: boolean,
): Promise<CompletenessVerdict> {
  const { gaps, seenCheckpoints, lastSeq, checked } = chain;
  const problems: CompletenessProblem[] = [];
  for (const gap of gaps) {
    problems.push({
      kind: 'missing_entries',
      file: gap.file,
      line: gap.line,
      seq: gap.from,
      message:
        gap.from === gap.to
          ? `seq ${gap.from} is missing`
          : `seq ${gap.from} to ${gap.to} are missing${gap.line === 1 ? ` (a day file before ${gap.file} may have been deleted)` : ''}`,
    });
  }
  let provenThrough: number | null = null;
  for (const cp of checkpoints.trusted) {
    const covered = cp.seq === 0 || seenCheckpoints.has(cp.seq);
    if (covered) {
      provenThrough = Math.max(provenThrough ?? 0, cp.seq);
      continue;
    }
    const fileMissing = cp.file !== null && !(await exists(inDir(dir, cp.file)));
    if (cp.seq > lastSeq) {
      problems.push({
        kind: fileMissing ? 'missing_file' : 'truncated',
        file: cp.file,
        line: null,
        seq: lastSeq + 1,
        message: fileMissing
          ? `the day file ${cp.file} is missing: a signed checkpoint (${cp.reason}, ${cp.ts}) covers entries through seq ${cp.seq} in it, but the log ends at seq ${lastSeq}`
          : `the log ends at seq ${lastSeq}, but a signed checkpoint (${cp.reason}, ${cp.ts}) covers entries through seq ${cp.seq}: the tail was truncated`,
      });
    } else if (fileMissing) {
      const gap = gaps.find((g) => cp.seq >= g.from && cp.seq <= g.to);
      problems.push({
        kind: 'missing_file',
        file: cp.file,
        line: null,
        seq: gap?.from ?? cp.seq,
        message: `the day file ${cp.file} is missing: a signed checkpoint covers seq ${cp.seq} in it`,
      });
    }
  }
  problems.push(...checkpoints.problems);
  if (checkpoints.trusted.length === 0 && checked > 0) {
    problems.push({
      kind: 'no_checkpoint',
      file: null,
      line: null,
      seq: null,
      message: havePublicKey
        ? 'there is no valid signed checkpoint: a truncated tail or a deleted newest file could not be seen. Open the writer with signingKey.'
        : 'no publicKey was given, so no checkpoint could be checked: pass publicKey to prove completeness',
    });
  } else if (checkpoints.trusted.length === 0) {
    // Nothing to check is not a clean log: deleting every file (checkpoints included) must never
    // get a better answer than deleting only some. A log written with signingKey has a checkpoint
    // even when empty (seq 0), which is what proves an empty log empty.
    problems.push({
      kind: 'empty_unproven',
      file: null,
      line: null,
      seq: null,
      message: havePublicKey
        ? 'the log holds no entries and no valid signed checkpoint: it cannot be told from a log whose files were all deleted. Pass the checkpoints kept elsewhere (onCheckpoint) as `checkpoints`; a log written with signingKey has one even when empty'
        : 'the log holds no entries, and without a publicKey nothing can show it was not emptied: pass publicKey (and the checkpoints kept elsewhere) to prove completeness',
    });
  }
  const rank = (p: CompletenessProblem) =>
    p.kind === 'no_checkpoint' || p.kind === 'empty_unproven'
      ? Number.MAX_SAFE_INTEGER
      : (p.seq ?? Number.MAX_SAFE_INTEGER - 1);
  problems.sort(
    (a, b) =>
      rank(a) - rank(b) || (a.kind === 'missing_file' ? -1 : b.kind === 'missing_file' ? 1 : 0),
  );
  const unanchored = Math.max(0, lastSeq - (provenThrough ?? 0));
  return {
    problem: problems[0],
    provenThrough,
    checkpoints: checkpoints.trusted.length,
    unanchored,
    unanchoredFrom: unanchored > 0 ? (provenThrough ?? 0) + 1 : null,
  };
}
