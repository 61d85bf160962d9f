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

/**
 * What is missing, or cannot be shown not to be. `no_checkpoint`: entries are there but no valid
 * signed checkpoint covers any of them. `empty_unproven`: there are no entries and no valid signed
 * checkpoint says the log is empty, so it cannot be told from a log whose every file was deleted.
 */
export type CompletenessProblemKind =
  | 'missing_entries'
  | 'missing_file'
  | 'truncated'
  | 'checkpoint_invalid'
  | 'no_checkpoint'
  | 'empty_unproven';

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
   * seq. Entries after it — `unanchored` of them, from seq `unanchoredFrom` — are unproven: no
   * checkpoint covers them, so their removal (and, in an unkeyed log, a forged one among them)
   * would not show. `ok` stays true for them; `summary` says so in words.
   */
  readonly completeness: {
    readonly ok: boolean;
    readonly provenThrough: number | null;
    readonly checkpoints: number;
    readonly unanchored: number;
    /** The first unproven seq after the last checkpoint, or null when `unanchored` is 0. */
    readonly unanchoredFrom: number | null;
    readonly problem?: AuditVerifyProblem<CompletenessProblemKind>;
  };
  /** Torn last lines: crash artefacts that a writer repairs on open, not tampering. */
  readonly crashArtefacts: readonly CrashArtefact[];
  /** The verdict in plain words: what is proven, what failed, and which entries are unproven. */
  readonly summary: string;
}

/** Where in the walk a problem shows: the day file's index and the line in it. */
export interface Position {
  readonly fileIndex: number;
  readonly line: number;
}

/** An integrity problem with its place in the walk, so the earliest can be kept. */
export type LocatedProblem = AuditVerifyProblem<IntegrityProblemKind> & Position;

/**
 * The first integrity problem in log order. Checks run in passes (the chain walk, then torn lines,
 * then the key), so a later pass may find a problem earlier in the log: the earliest position
 * wins, and at the same position the one found first.
 */
export class FirstProblem {
  private current: LocatedProblem | undefined;

  get problem(): LocatedProblem | undefined {
    return this.current;
  }

  flag(problem: LocatedProblem): void {
    if (!this.current || before(problem, this.current)) this.current = problem;
  }

  /** Replaces the problem found with a better explanation of the same place. */
  replace(problem: LocatedProblem): void {
    this.current = problem;
  }
}

function before(a: Position, b: Position): boolean {
  return a.fileIndex < b.fileIndex || (a.fileIndex === b.fileIndex && a.line < b.line);
}

/** The outcome of the completeness check, before it goes into the report. */
export interface CompletenessVerdict {
  readonly problem: AuditVerifyProblem<CompletenessProblemKind> | undefined;
  readonly provenThrough: number | null;
  readonly checkpoints: number;
  readonly unanchored: number;
  readonly unanchoredFrom: number | null;
}

/** Puts the report together: the problems without their walk positions. */
export function buildReport(parts: {
  readonly checked: number;
  readonly files: readonly string[];
  readonly head: { readonly seq: number; readonly hash: string } | null;
  readonly integrity: LocatedProblem | undefined;
  readonly completeness: CompletenessVerdict;
  readonly crashArtefacts: readonly CrashArtefact[];
}): AuditVerifyReport {
  const { integrity, completeness } = parts;
  const counts = {
    provenThrough: completeness.provenThrough,
    checkpoints: completeness.checkpoints,
    unanchored: completeness.unanchored,
    unanchoredFrom: completeness.unanchoredFrom,
  };
  const report: Omit<AuditVerifyReport, 'summary'> = {
    ok: integrity === undefined && completeness.problem === undefined,
    checked: parts.checked,
    files: parts.files,
    head: parts.head,
    integrity:
      integrity === undefined ? { ok: true } : { ok: false, problem: withoutPosition(integrity) },
    completeness:
      completeness.problem === undefined
        ? { ok: true, ...counts }
        : { ok: false, ...counts, problem: completeness.problem },
    crashArtefacts: parts.crashArtefacts,
  };
  return { ...report, summary: summarize(report) };
}

/**
 * The report in a few plain sentences, for a person (the CLI prints it): the verdict, the first
 * problem of each kind, and — always, not only on failure — which entries nothing proves.
 */
export function summarize(report: Omit<AuditVerifyReport, 'summary'>): string {
  const { integrity, completeness, checked, head } = report;
  const out: string[] = [report.ok ? 'verified.' : 'FAILED.'];
  out.push(
    integrity.problem
      ? `Integrity failed: ${located(integrity.problem)}.`
      : `${checked} ${checked === 1 ? 'entry is' : 'entries are'} intact, in order and chained.`,
  );
  const { provenThrough, checkpoints, unanchored, unanchoredFrom, problem } = completeness;
  if (problem) out.push(`Completeness failed: ${located(problem)}.`);
  if (provenThrough !== null)
    out.push(
      provenThrough === 0
        ? `A signed checkpoint proves the log was empty when it was made (${checkpoints} ${checkpoints === 1 ? 'checkpoint' : 'checkpoints'}).`
        : `Nothing is missing through seq ${provenThrough} (${checkpoints} signed ${checkpoints === 1 ? 'checkpoint' : 'checkpoints'}).`,
    );
  if (unanchored > 0 && unanchoredFrom !== null) {
    const last = head?.seq ?? unanchoredFrom + unanchored - 1;
    const range = unanchored === 1 ? `seq ${unanchoredFrom}` : `seq ${unanchoredFrom} to ${last}`;
    const what = `${unanchored} ${unanchored === 1 ? 'entry' : 'entries'} (${range})`;
    out.push(
      provenThrough === null
        ? `UNPROVEN: no signed checkpoint covers the ${what}: entries removed, or forged by anyone who can recompute the chain (anyone at all when the log has no HMAC key), would not show.`
        : `UNPROVEN: ${what} after the last signed checkpoint: entries removed from there, or forged by anyone who can recompute the chain (anyone at all when the log has no HMAC key), would not show. Periodic checkpoints (checkpointEveryEntries, checkpointIntervalMs) bound this window.`,
    );
  }
  for (const artefact of report.crashArtefacts)
    out.push(
      `A torn last line in ${artefact.file} (line ${artefact.line}, ${artefact.bytes} bytes) is a crash artefact: the next writer cuts it off and logs the repair.`,
    );
  return out.join(' ');
}

function located(problem: AuditVerifyProblem): string {
  const at =
    problem.file === null
      ? ''
      : ` (${problem.file}${problem.line === null ? '' : `:${problem.line}`})`;
  return `${problem.kind}, ${problem.message.replace(/\.$/, '')}${at}`;
}

function withoutPosition<K extends string>(problem: AuditVerifyProblem<K>): AuditVerifyProblem<K> {
  return {
    kind: problem.kind,
    file: problem.file,
    line: problem.line,
    seq: problem.seq,
    message: problem.message,
  };
}
