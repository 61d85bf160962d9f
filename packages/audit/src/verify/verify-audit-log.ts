import type { Checkpoint, KeyInput } from '../checkpoint.js';
import { judgeCompleteness, loadCheckpoints } from './completeness.js';
import { IntegrityWalk } from './integrity.js';
import { keyAgainstCheckpoints, keyFromHashes, loadVerifyKeys } from './keys.js';
import { type AuditVerifyReport, buildReport, FirstProblem } from './report.js';
import { listLog, walkDayFiles } from './walk.js';

/** Options for {@link verifyAuditLog}. */
export interface AuditVerifyOptions {
  /** The HMAC key the log was written with, if it was keyed. */
  readonly key?: string | Uint8Array;
  /** The Ed25519 public key that signs checkpoints. Without it completeness cannot be proven. */
  readonly publicKey?: KeyInput | readonly KeyInput[];
  /** Checkpoints kept outside the log's directory; used instead of its checkpoints.jsonl. */
  readonly checkpoints?: readonly Checkpoint[];
  /** The origin the checkpoints must name; by default any, as long as they agree. */
  readonly origin?: string;
}

/** How the walk reads. Not part of the API: tests use small chunks to cross chunk boundaries. */
export interface VerifyTuning {
  /** Bytes read at a time (default 1 MiB). */
  readonly chunkBytes?: number;
}

/**
 * Walks the whole log and reports, separately, whether the entries present are intact
 * (integrity) and whether any are missing (completeness, proven against signed checkpoints),
 * each with the first problem found: file, line, seq and what is wrong. Streams the files; memory
 * does not grow with the log.
 */
export function verifyAuditLog(
  dir: string,
  options: AuditVerifyOptions = {},
): Promise<AuditVerifyReport> {
  return verifyWith(dir, options, {});
}

/** {@link verifyAuditLog}, tuned. */
export async function verifyWith(
  dir: string,
  options: AuditVerifyOptions,
  tuning: VerifyTuning,
): Promise<AuditVerifyReport> {
  const keys = loadVerifyKeys(options);
  const files = await listLog(dir);
  const checkpoints = await loadCheckpoints(
    dir,
    options.checkpoints,
    options.origin,
    keys.publicKeys,
  );
  const { trusted } = checkpoints;
  const integrity = new FirstProblem();

  // The newest trusted checkpoint names the key the entries were written with.
  if (trusted.length > 0 && files.length > 0) {
    const problem = keyAgainstCheckpoints(trusted[trusted.length - 1]!.keyId, keys.keyId);
    if (problem) integrity.flag({ ...problem, file: files[0]!, line: 1, seq: 1, fileIndex: 0 });
  }

  const pinned = new Map<number, Checkpoint>();
  for (const cp of trusted) pinned.set(cp.seq, cp);
  const chain = new IntegrityWalk(keys.hmac, pinned, integrity);
  const walked = await walkDayFiles(dir, files, chain, tuning.chunkBytes);

  // Every entry failing its hash, from the very first, is the key's doing, not the entries'.
  const first = chain.firstEntryHashProblem;
  if (first !== undefined && integrity.problem === first) {
    const problem = keyFromHashes(chain.checked, chain.hashFailures, keys.hmac !== undefined);
    if (problem) integrity.replace({ ...first, ...problem });
  }
  for (const problem of walked.tornMidLog) integrity.flag(problem);

  const completeness = await judgeCompleteness(
    dir,
    {
      gaps: chain.gaps,
      seenCheckpoints: chain.seenCheckpoints,
      lastSeq: chain.expected - 1,
      checked: chain.checked,
    },
    checkpoints,
    keys.publicKeys !== undefined,
  );
  return buildReport({
    checked: chain.checked,
    files,
    head: chain.head,
    integrity: integrity.problem,
    completeness,
    crashArtefacts: [...checkpoints.artefacts, ...walked.crashArtefacts],
  });
}
