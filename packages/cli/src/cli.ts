/**
 * `runTrace(argv, io)`: the whole command line as a function — the binary calls it with the
 * process's arguments and streams; a program or a test may call it with its own.
 */
import { createRequire } from 'node:module';
import { TraceError } from '@trace/spec';
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { ExitCode, exitCodeOf } from './exit-codes.js';
import { type CliIo, Output } from './io.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const EXIT_HELP = `
Exit status:
  0  done, nothing wrong found
  1  a problem found: a verification failed, the tapes differ, a tape is damaged
  2  the command could not run as asked: a bad argument, a missing or foreign file, an unknown id

Every command takes --help, and prints an example there. --debug shows the stack of an error.`;

/** Runs `trace` with `argv` (the arguments after the program name) and resolves with the exit status. */
export async function runTrace(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const out = new Output(io);
  let status: ExitCode = ExitCode.OK;
  const program = buildProgram(out, (code) => {
    status = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    return reportError(error, out, argv.includes('--debug'));
  } finally {
    out.flush();
  }
}

function buildProgram(out: Output, done: (code: ExitCode) => void): Command {
  const program = new Command('trace')
    .description(
      'Look into tapes and audit logs, diff runs, verify, export, and keep fixtures reviewable.',
    )
    .version(version, '-V, --version')
    .option('--debug', 'show the stack of an error')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        out.flush();
        out.stdout.write(text);
      },
      writeErr: (text) => {
        out.flush();
        out.stderr.write(text);
      },
    });
  for (const command of COMMANDS) command.register(program, { out }, done);
  // Subcommands share the program's settings: usage errors throw to `runTrace`, output goes to `out`.
  for (const command of program.commands) inherit(command, program);
  return program;
}

function inherit(command: Command, from: Command): void {
  command
    .exitOverride()
    .configureOutput(from.configureOutput())
    .showHelpAfterError('(add --help for usage)');
  for (const sub of command.commands) inherit(sub, from);
}

/** One line on stderr, and the exit status; the stack only with --debug. */
function reportError(error: unknown, out: Output, debug: boolean): ExitCode {
  if (error instanceof CommanderError) {
    // Commander has already written its message (or the help, or the version).
    const informational = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return informational.includes(error.code) || error.exitCode === 0
      ? ExitCode.OK
      : ExitCode.USAGE;
  }
  if (TraceError.isInstance(error)) {
    out.error(`trace: ${oneLine(error.message)} [${error.code}]`);
    if (debug) out.error(stackOf(error));
    return exitCodeOf(error.code);
  }
  out.error(
    `trace: unexpected error: ${oneLine(error instanceof Error ? error.message : String(error))}${
      debug ? '' : ' (run again with --debug for the stack, and report it)'
    }`,
  );
  if (debug) out.error(stackOf(error));
  return ExitCode.PROBLEM;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    lines.push(
      depth === 0
        ? String((current as Error).stack ?? current)
        : `caused by: ${String((current as Error).stack ?? current)}`,
    );
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}
