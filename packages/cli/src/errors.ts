import { TraceError } from '@trace/spec';

/** Every stable error code the `trace` command line throws itself. Documented in the README; never reworded. */
export const CliErrorCode = {
  /** An argument or option has a value the command cannot take. */
  USAGE: 'CLI_USAGE',
  /** A file the command was pointed at (a dump, a key, an audit folder) does not exist or cannot be read. */
  FILE_NOT_FOUND: 'CLI_FILE_NOT_FOUND',
  /** A tape dump cannot be read: `details.line` names the line. */
  DUMP_INVALID: 'CLI_DUMP_INVALID',
  /** A tape dump was written by a newer `trace` than this one reads. */
  DUMP_VERSION_NEWER: 'CLI_DUMP_VERSION_NEWER',
  /** A dump's events do not hash to the fingerprint its header states: it was edited. */
  DUMP_FINGERPRINT_MISMATCH: 'CLI_DUMP_FINGERPRINT_MISMATCH',
  /** An agent or oracle module (`--agent`, `--oracle`) cannot be loaded, or exports no such function. */
  AGENT_INVALID: 'CLI_AGENT_INVALID',
  /** The agent a command ran threw: what it threw is the cause. */
  AGENT_FAILED: 'CLI_AGENT_FAILED',
  /** The store cannot do what was asked (a capability it does not offer). */
  UNSUPPORTED: 'CLI_UNSUPPORTED',
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** Every error the `trace` command line throws on purpose. */
export class CliError extends TraceError<CliErrorCode> {
  static override readonly brand = Symbol.for('@trace/cli.CliError');
}
