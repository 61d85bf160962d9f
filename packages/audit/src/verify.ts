import type { KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { GENESIS_HASH, isCanonicalJsonText } from '@trace/spec';
import {
  type Checkpoint,
  checkCheckpointSignature,
  checkpointHash,
  hmacKeyId,
  type KeyInput,
  loadPublicKey,
  parseCheckpoint,
  signerId,
} from './checkpoint.js';
import { canonicalBody, digest, entryLine, parseLine } from './entry.js';
import { AuditError } from './errors.js';
import { CHECKPOINTS_FILE, dayOf, exists, inDir, listDayFiles } from './files.js';
import { scanLines, type Trailer } from './lines.js';

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

/** What is wrong with the entries that are there. */
export type IntegrityProblemKind =
  | 'malformed_line'
  | 'unsupported_version'
  | 'not_canonical'
  | 'hash_mismatch'
  | 'wrong_key'
  | 'key_required'
  | 'prev_mismatch'
  | 'out_of_order'
  | 'time_regressed'
  | 'misfiled'
  | 'torn_line_mid_log'
  | 'checkpoint_mismatch';

/** What is missing, or cannot be shown not to be. */
export type CompletenessProblemKind =
  | 'missing_entries'
  | 'missing_file'
  | 'truncated'
  | 'checkpoint_invalid'
  | 'no_checkpoint';

/** The first problem of one kind of check, located. */
export interface AuditVerifyProblem<K extends string = string> {
  readonly kind: K;
  /** The file where it shows (or the missing file), or null when it concerns the log as a whole. */
  readonly file: string | null;
  /** 1-based line in that file, or null. */
  readonly line: number | null;
  /** The sequence number concerned (for missing entries, the first missing one), or null. */
  readonly seq: number | null;
  /** What is wrong, in words. */
  readonly message: string;
}

/** Bytes after the last newline of the log's last file: what a crash mid-write leaves. */
export interface CrashArtefact {
  readonly file: string;
  readonly line: number;
  readonly offset: number;
  readonly bytes: number;
}

/** The outcome of {@link verifyAuditLog}. */
export interface AuditVerifyReport {
  /** Integrity and completeness both hold. A torn last line alone does not clear this. */
  readonly ok: boolean;
  /** Entries read and checked. */
  readonly checked: number;
  /** The day files walked, oldest first. */
  readonly files: readonly string[];
  /** The last entry in the log, or null when it has none. */
  readonly head: { readonly seq: number; readonly hash: string } | null;
  /** Every entry present is unaltered, in order, correctly chained (and keyed, when a key is given). */
  readonly integrity: {
    readonly ok: boolean;
    readonly problem?: AuditVerifyProblem<IntegrityProblemKind>;
  };
  /**
   * Nothing is missing up to the newest signed checkpoint. `provenThrough` is that checkpoint's
   * seq; entries after it are unanchored (`unanchored` of them) until the next checkpoint.
   */
  readonly completeness: {
    readonly ok: boolean;
    readonly provenThrough: number | null;
    readonly checkpoints: number;
    readonly unanchored: number;
    readonly problem?: AuditVerifyProblem<CompletenessProblemKind>;
  };
  /** Torn last lines: crash artefacts that a writer repairs on open, not tampering. */
  readonly crashArtefacts: readonly CrashArtefact[];
}

interface Position {
  readonly fileIndex: number;
  readonly line: number;
}

interface Gap extends Position {
  readonly from: number;
  readonly to: number;
  readonly file: string;
}

const MAX_GAPS = 64;

/** Length of `{"hash":"<64 hex>",` at the start of every stored line. */
const HASH_PREFIX_LENGTH = 75;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;

/**
 * Walks the whole log and reports, separately, whether the entries present are intact
 * (integrity) and whether any are missing (completeness, proven against signed checkpoints),
 * each with the first problem found: file, line, seq and what is wrong. Streams the files; memory
 * does not grow with the log.
 */
export async function verifyAuditLog(
  dir: string,
  options: AuditVerifyOptions = {},
): Promise<AuditVerifyReport> {
  const key =
    options.key === undefined
      ? undefined
      : typeof options.key === 'string'
        ? Buffer.from(options.key, 'utf8')
        : Buffer.from(options.key);
  const keyId = key ? hmacKeyId(key) : null;
  // Several keys may be given after a signing-key rotation: each checkpoint names its signer.
  const publicKeys =
    options.publicKey === undefined
      ? undefined
      : new Map(
          (Array.isArray(options.publicKey) ? options.publicKey : [options.publicKey]).map(
            (k: KeyInput) => {
              const key = loadPublicKey(k);
              return [signerId(key), key] as const;
            },
          ),
        );
  // A mistyped path must not verify as an empty, perfectly intact log.
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new AuditError(
      'AUDIT_READ_FAILED',
      `${dir} is not an audit log directory: check the path.`,
      {
        cause: error,
        details: { dir },
      },
    );
  }
  const files = await listDayFiles(dir);

  let integrity: (AuditVerifyProblem<IntegrityProblemKind> & Position) | undefined;
  const flagIntegrity = (problem: AuditVerifyProblem<IntegrityProblemKind> & Position) => {
    if (!integrity || before(problem, integrity)) integrity = problem;
  };

  const checkpoints = await loadCheckpoints(dir, options, publicKeys);
  const trusted = checkpoints.valid;
  const bySeq = new Map<number, Checkpoint>();
  for (const cp of trusted) bySeq.set(cp.seq, cp);
  const seenCheckpointSeqs = new Set<number>();
  if (trusted.length > 0 && files.length > 0) {
    const recorded = trusted[trusted.length - 1]!.keyId;
    if (recorded !== keyId) {
      flagIntegrity({
        kind: recorded !== null && keyId === null ? 'key_required' : 'wrong_key',
        file: files[0]!,
        line: 1,
        seq: 1,
        fileIndex: 0,
        message:
          recorded === null
            ? 'the log is not keyed, but a key was given: verify without `key`'
            : keyId === null
              ? `the log is keyed (key id ${recorded}): pass the HMAC key as \`key\``
              : `the log was keyed with key id ${recorded}, not the given key (${keyId})`,
      });
    }
  }

  let expected = 1;
  let lastHash = GENESIS_HASH;
  let lastTs = '';
  let checked = 0;
  let head: { seq: number; hash: string } | null = null;
  const gaps: Gap[] = [];
  // A wrong or missing key makes every entry fail its hash; edits make only some fail. Which it
  // is can only be told once every entry has been checked.
  let hashFailures = 0;
  let firstEntryHashProblem: (AuditVerifyProblem<IntegrityProblemKind> & Position) | undefined;
  const trailers: Array<{
    file: string;
    fileIndex: number;
    trailer: Trailer;
    laterContent: boolean;
  }> = [];

  for (let fileIndex = 0; fileIndex < files.length; fileIndex++) {
    const file = files[fileIndex]!;
    const day = dayOf(file)!;
    let hadLines = false;
    const trailer = await scanLines(inDir(dir, file), (text, line, _offset, raw) => {
      hadLines = true;
      const at = { file, line, fileIndex };
      const parsed = parseLine(text);
      if (!parsed.ok) {
        flagIntegrity({ kind: parsed.kind, seq: null, message: parsed.message, ...at });
        return undefined;
      }
      const entry = parsed.entry;
      checked++;
      // The stored line is the canonical entry with `hash` first, so when it is canonical the
      // hashed body is the line minus its `"hash":"…",` prefix: no re-encoding needed.
      let body: string | Buffer;
      if (isCanonicalJsonText(entry, text) && raw[HASH_PREFIX_LENGTH - 1] === COMMA) {
        // Hash the bytes as read: turn the comma before "payload" into "{" for the call.
        raw[HASH_PREFIX_LENGTH - 1] = OPEN_BRACE;
        body = raw.subarray(HASH_PREFIX_LENGTH - 1);
      } else {
        try {
          body = canonicalBody(entry);
        } catch {
          flagIntegrity({
            kind: 'not_canonical',
            seq: entry.seq,
            message: 'the payload cannot be canonically encoded',
            ...at,
          });
          return undefined;
        }
        if (entryLine(body, entry.hash) !== text) {
          flagIntegrity({
            kind: 'not_canonical',
            seq: entry.seq,
            message:
              'the line is not in canonical form (sorted keys, no whitespace, one encoding of each value)',
            ...at,
          });
        }
      }
      const computed = digest(body, key);
      if (typeof body !== 'string') raw[HASH_PREFIX_LENGTH - 1] = COMMA;
      if (computed !== entry.hash) {
        hashFailures++;
        const problem = {
          kind: 'hash_mismatch' as const,
          seq: entry.seq,
          message:
            checked === 1
              ? 'the entry does not match its hash: it was edited (or the key is wrong)'
              : 'the entry does not match its hash: it was edited',
          ...at,
        };
        if (checked === 1) firstEntryHashProblem = problem;
        flagIntegrity(problem);
      }
      if (entry.seq < expected) {
        const gapIndex = gaps.findIndex((gap) => entry.seq >= gap.from && entry.seq <= gap.to);
        if (gapIndex !== -1) {
          const gap = gaps[gapIndex]!;
          gaps.splice(gapIndex, 1);
          flagIntegrity({
            kind: 'out_of_order',
            file: gap.file,
            line: gap.line,
            fileIndex: gap.fileIndex,
            seq: gap.from,
            message: `entries are out of order: seq ${gap.to + 1} appears before seq ${gap.from}`,
          });
        } else {
          flagIntegrity({
            kind: 'out_of_order',
            seq: entry.seq,
            message: `seq ${entry.seq} appears after seq ${expected - 1}: a line was inserted, duplicated or moved`,
            ...at,
          });
        }
        return undefined;
      }
      if (entry.seq > expected) {
        if (gaps.length < MAX_GAPS) gaps.push({ from: expected, to: entry.seq - 1, ...at });
      } else if (entry.prev !== lastHash) {
        flagIntegrity({
          kind: 'prev_mismatch',
          seq: entry.seq,
          message: `"prev" does not match the hash of seq ${entry.seq - 1}: an entry before it was replaced, or this one was inserted`,
          ...at,
        });
      }
      if (entry.ts < lastTs) {
        flagIntegrity({
          kind: 'time_regressed',
          seq: entry.seq,
          message: `the time ${entry.ts} is earlier than the entry before (${lastTs})`,
          ...at,
        });
      }
      if (entry.ts.slice(0, 10) !== day) {
        flagIntegrity({
          kind: 'misfiled',
          seq: entry.seq,
          message: `an entry of ${entry.ts.slice(0, 10)} is in the day file ${file}`,
          ...at,
        });
      }
      const cp = bySeq.get(entry.seq);
      if (cp) {
        if (cp.head === entry.hash) seenCheckpointSeqs.add(entry.seq);
        else
          flagIntegrity({
            kind: 'checkpoint_mismatch',
            seq: entry.seq,
            message: `a signed checkpoint says seq ${entry.seq} has hash ${cp.head.slice(0, 12)}…, but the log holds another entry: history was rewritten`,
            ...at,
          });
      }
      expected = entry.seq + 1;
      lastHash = entry.hash;
      lastTs = entry.ts;
      head = { seq: entry.seq, hash: entry.hash };
      return undefined;
    });
    if (hadLines || trailer) for (const t of trailers) t.laterContent = true;
    if (trailer) trailers.push({ file, fileIndex, trailer, laterContent: false });
  }

  if (
    firstEntryHashProblem !== undefined &&
    integrity === firstEntryHashProblem &&
    checked >= 2 &&
    hashFailures === checked
  ) {
    // Every entry fails, from the very first: the key, not the entries.
    integrity = {
      ...firstEntryHashProblem,
      kind: key ? 'wrong_key' : 'key_required',
      message: key
        ? 'no entry checks under the given key: it is the wrong key'
        : 'no entry checks as plain SHA-256: the log is keyed, pass its HMAC key as `key`',
    };
  }

  const crashArtefacts: CrashArtefact[] = [...checkpoints.artefacts];
  for (const { file, fileIndex, trailer, laterContent } of trailers) {
    if (laterContent) {
      flagIntegrity({
        kind: 'torn_line_mid_log',
        file,
        line: trailer.line,
        fileIndex,
        seq: null,
        message: 'an unterminated line in a day file that is not the last: not a crash artefact',
      });
    } else {
      crashArtefacts.push({
        file,
        line: trailer.line,
        offset: trailer.offset,
        bytes: trailer.bytes,
      });
    }
  }

  const completeness = await judgeCompleteness(
    dir,
    gaps,
    trusted,
    seenCheckpointSeqs,
    expected - 1,
    checked,
    checkpoints,
    publicKeys !== undefined,
  );
  return {
    ok: integrity === undefined && completeness.problem === undefined,
    checked,
    files,
    head,
    integrity:
      integrity === undefined
        ? { ok: true }
        : {
            ok: false,
            problem: stripPosition(integrity),
          },
    completeness:
      completeness.problem === undefined
        ? { ok: true, ...completeness.summary }
        : { ok: false, ...completeness.summary, problem: completeness.problem },
    crashArtefacts,
  };
}

function stripPosition<K extends string>(problem: AuditVerifyProblem<K>): AuditVerifyProblem<K> {
  return {
    kind: problem.kind,
    file: problem.file,
    line: problem.line,
    seq: problem.seq,
    message: problem.message,
  };
}

function before(a: Position, b: Position): boolean {
  return a.fileIndex < b.fileIndex || (a.fileIndex === b.fileIndex && a.line < b.line);
}

async function judgeCompleteness(
  dir: string,
  gaps: Gap[],
  trusted: Checkpoint[],
  seen: Set<number>,
  lastSeq: number,
  checked: number,
  loaded: LoadedCheckpoints,
  havePublicKey: boolean,
) {
  const problems: AuditVerifyProblem<CompletenessProblemKind>[] = [];
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
  for (const cp of trusted) {
    const covered = cp.seq === 0 || seen.has(cp.seq);
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
  problems.push(...loaded.problems);
  if (trusted.length === 0 && checked > 0) {
    problems.push({
      kind: 'no_checkpoint',
      file: null,
      line: null,
      seq: null,
      message: havePublicKey
        ? 'there is no valid signed checkpoint: a truncated tail or a deleted newest file could not be seen. Open the writer with signingKey.'
        : 'no publicKey was given, so no checkpoint could be checked: pass publicKey to prove completeness',
    });
  }
  const rank = (p: AuditVerifyProblem<CompletenessProblemKind>) =>
    p.kind === 'no_checkpoint' ? Number.MAX_SAFE_INTEGER : (p.seq ?? Number.MAX_SAFE_INTEGER - 1);
  problems.sort(
    (a, b) =>
      rank(a) - rank(b) || (a.kind === 'missing_file' ? -1 : b.kind === 'missing_file' ? 1 : 0),
  );
  return {
    problem: problems[0],
    summary: {
      provenThrough,
      checkpoints: trusted.length,
      unanchored: Math.max(0, lastSeq - (provenThrough ?? 0)),
    },
  };
}

interface LoadedCheckpoints {
  valid: Checkpoint[];
  problems: AuditVerifyProblem<CompletenessProblemKind>[];
  artefacts: CrashArtefact[];
}

async function loadCheckpoints(
  dir: string,
  options: AuditVerifyOptions,
  publicKeys: Map<string, KeyObject> | undefined,
): Promise<LoadedCheckpoints> {
  const result: LoadedCheckpoints = { valid: [], problems: [], artefacts: [] };
  const fromFile = options.checkpoints === undefined;
  const raw: Array<{ value: Checkpoint | string; line: number | null }> = [];
  if (options.checkpoints !== undefined) {
    if (!Array.isArray(options.checkpoints))
      throw new AuditError(
        'AUDIT_INVALID_OPTIONS',
        'checkpoints must be an array of checkpoint objects.',
      );
    for (const cp of options.checkpoints)
      raw.push({ value: parseCheckpoint(JSON.stringify(cp)), line: null });
  } else {
    const path = inDir(dir, CHECKPOINTS_FILE);
    if (await exists(path)) {
      const trailer = await scanLines(path, (text, line) => {
        raw.push({ value: parseCheckpoint(text), line });
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
  let origin = options.origin;
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
    if (origin !== undefined && value.origin !== origin) {
      fail(
        line,
        `the checkpoint names origin "${value.origin}", not "${origin}": it belongs to another log`,
      );
      continue;
    }
    origin ??= value.origin;
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
    result.valid.push(value);
  }
  return result;
}
