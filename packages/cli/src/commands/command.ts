import { type Command, InvalidArgumentError } from 'commander';
import type { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';

/** What every command's action gets: where to write. */
export interface CommandContext {
  readonly out: Output;
}

/**
 * One `trace` command. A command is one file exporting one of these, and one line in
 * `commands/index.ts`: `register` adds it (with its options, help and examples) to the program,
 * and its action calls `done` with the exit status.
 */
export interface CliCommand {
  readonly name: string;
  register(program: Command, context: CommandContext, done: (code: ExitCode) => void): void;
}

/** The help text after a command's options: its examples, one per line. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** Parses a non-negative integer option; anything else is commander's usage error (exit 2). */
export function naturalNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number (0, 1, 2, …).');
  return Number(value);
}
