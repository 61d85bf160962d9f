/** The exit statuses of `trace`, documented in the README and in `trace --help`. */
export const ExitCode = {
  /** The command did what was asked and found nothing wrong. */
  OK: 0,
  /** The command ran and found a problem: a verification failed, two tapes differ, a tape is damaged. */
  PROBLEM: 1,
  /** The command could not run as asked: a bad argument, a missing or foreign file, an unknown id. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Error codes that mean "a problem found" (exit 1) rather than "the command was pointed at the
 * wrong thing" (exit 2): the data is damaged, a recording was interrupted, or a collector did not
 * take what was sent.
 */
const PROBLEM_CODES: ReadonlySet<string> = new Set([
  'TAPE_DAMAGED',
  'TAPE_CORRUPT',
  'TAPE_TRUNCATED',
  'CLI_DUMP_FINGERPRINT_MISMATCH',
  'AUDIT_CORRUPT_TAIL',
  'RUN_TAPE_INCOMPLETE',
  'EXPORT_OTLP_REJECTED',
  'EXPORT_OTLP_UNREACHABLE',
  'EXPORT_WRITE_FAILED',
  'CLI_AGENT_FAILED',
  'FORK_DRIFT',
  'FORK_PARENT_DAMAGED',
]);

export function exitCodeOf(code: string): ExitCode {
  return PROBLEM_CODES.has(code) ? ExitCode.PROBLEM : ExitCode.USAGE;
}
