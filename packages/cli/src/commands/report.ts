import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AuditKeyFlags, auditKeys } from '../audit-keys.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliCommand, examples } from './command.js';

interface ReportFlags extends AuditKeyFlags {
  out?: string;
  audit?: string;
  session?: string;
  blame?: boolean;
}

export const reportCommand: CliCommand = {
  name: 'report',
  register(program, { out }, done) {
    program
      .command('report')
      .description(
        'one self-contained HTML page of a run: its timeline, every exchange, its branches, its blame ranking and its audit log; opens from disk, offline',
      )
      .argument('<store>', 'the SQLite tape store')
      .argument('<run>', 'the run to show')
      .option('-o, --out <file>', 'where to write the page (default <run>.html)')
      .option(
        '--audit <dir>',
        'the run’s audit log, shown beside the timeline with its verification',
      )
      .option('--key <public.pem>', 'the Ed25519 public key that signs the log’s checkpoints')
      .option('--hmac-key-env <name>', 'the environment variable holding the log’s HMAC key')
      .option('--session <id>', 'only the audit entries of this session')
      .option('--no-blame', 'leave out the blame result stored beside the run')
      .addHelpText(
        'after',
        examples(
          'trace report runs.tape.db trip -o trip.html',
          'trace report runs.tape.db trip --audit ./audit --key audit-public-key.pem',
        ),
      )
      .action(async (path: string, run: string, flags: ReportFlags) => {
        const { writeReport } = await import('@trace/report');
        const store = resolve(out.cwd, path);
        if (!existsSync(store))
          throw new CliError('CLI_FILE_NOT_FOUND', `No store at ${path}: check the path.`, {
            details: { path },
          });
        const audit =
          flags.audit === undefined
            ? undefined
            : {
                dir: auditDir(flags.audit, out.cwd),
                ...auditKeys(flags, out.cwd),
                ...(flags.session === undefined ? {} : { session: flags.session }),
              };
        const file = await writeReport({
          path: store,
          id: run,
          out: resolve(out.cwd, flags.out ?? `${run}.html`),
          ...(audit === undefined ? {} : { audit }),
          ...(flags.blame === false ? { blame: false } : {}),
        });
        out.line(file);
        done(ExitCode.OK);
      });
  },
};

function auditDir(dir: string, cwd: string): string {
  const folder = resolve(cwd, dir);
  if (!existsSync(folder))
    throw new CliError('CLI_FILE_NOT_FOUND', `No audit log folder at ${dir}: check the path.`, {
      details: { path: dir },
    });
  return folder;
}
