/**
 * @trace/cli: the `trace` command line. The binary is the product; this entry point lets a program
 * run it (`runTrace`) and read and write the tape dump format it uses.
 */
export { runTrace } from './cli.js';
export { type BytesForm, bytesForm, bytesOfForm } from './dump/bytes.js';
export {
  DUMP_FORMAT_VERSION,
  type DumpableTape,
  type DumpHeader,
  dumpLines,
  dumpTape,
} from './dump/format.js';
export { type ParseDumpOptions, type ParsedDump, parseDump } from './dump/parse.js';
export { CliError, CliErrorCode } from './errors.js';
export { ExitCode } from './exit-codes.js';
export type { CliIo, CliStream } from './io.js';
