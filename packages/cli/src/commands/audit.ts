import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AuditVerifyOptions, type AuditVerifyReport, verifyAuditLog } from '@trace/audit';
import { auditKeys } from '../audit-keys.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';
import { plural } from '../render/format.js';
import { type CliCommand, examples } from './command.js';

interface AuditVerifyFlags {
  key?: string;
  hmacKeyEnv?: string;
  json?: boolean;
}

export const auditCommand: CliCommand = {
  name: 'audit',
  register(program, { out }, done) {
    const audit = program
      .command('audit')
      .description('audit logs: verify one')
      .addHelpText('after', examples('trace audit verify ./audit --key audit-public-key.pem'));
    audit
      .command('verify')
      .description(
        'walk an audit log: integrity (every entry unaltered, in order, chained) and completeness (nothing missing up to the last signed checkpoint); exit 1 on any problem',
      )
      .argument('<dir>', 'the audit log folder')
      .option(
        '--key <public.pem>',
        'the Ed25519 public key that signs checkpoints (proves completeness)',
      )
      .option(
        '--hmac-key-env <name>',
        'the environment variable holding the HMAC key, if the log is keyed',
      )
      .option('--json', 'the report as JSON, for CI')
      .addHelpText(
        'after',
        examples(
          'trace audit verify ./audit --key audit-public-key.pem',
          'AUDIT_KEY=… trace audit verify ./audit --key pub.pem --hmac-key-env AUDIT_KEY --json',
        ),
      )
      .action(async (dir: string, flags: AuditVerifyFlags) => {
        const folder = resolve(out.cwd, dir);
        if (!existsSync(folder) || !statSync(folder).isDirectory()) {
          throw new CliError(
            'CLI_FILE_NOT_FOUND',
            `No audit log folder at ${dir}: check the path.`,
            {
              details: { path: dir },
            },
          );
        }
        const options: AuditVerifyOptions = auditKeys(flags, out.cwd);
        const report = await verifyAuditLog(folder, options);
        if (flags.json) out.json(report);
        else printReport(report, out);
        done(report.ok ? ExitCode.OK : ExitCode.PROBLEM);
      });
  },
};

function printReport(report: AuditVerifyReport, out: Output): void {
  const c = out.colors;
  const mark = (ok: boolean) => (ok ? c.green('ok    ') : c.red('FAILED'));
  out.line(
    `${plural(report.checked, 'entry', 'entries')} in ${plural(report.files.length, 'file')}${report.head ? `, head seq ${report.head.seq} ${report.head.hash.slice(0, 12)}` : ''}`,
  );
  const { integrity, completeness } = report;
  out.line(
    `${mark(integrity.ok)} integrity${integrity.problem ? `: ${where(integrity.problem)}` : ''}`,
  );
  const proven =
    completeness.provenThrough === null
      ? 'no signed checkpoint'
      : `proven through seq ${completeness.provenThrough} by ${plural(completeness.checkpoints, 'signed checkpoint')}`;
  out.line(
    `${mark(completeness.ok)} completeness: ${completeness.problem ? where(completeness.problem) : proven}`,
  );
  const unproven = unprovenLine(report);
  if (unproven !== undefined) out.line(c.yellow(unproven));
  // Without --key the verifier's completeness problem already says to pass the public key.
  for (const artefact of report.crashArtefacts) {
    out.line(
      `crash artefact: ${artefact.bytes} bytes after the last line of ${artefact.file} (line ${artefact.line}); a writer repairs it on open`,
    );
  }
  // The verifier's own verdict in words: what is proven, what failed, what nothing proves.
  const verdict = report.summary.replace(/^(verified\.|FAILED\.)/, (word) =>
    report.ok ? c.green(word) : c.red(word),
  );
  out.line(verdict);
}

/**
 * The entries nothing proves, said on a line of their own even when the log verifies: no signed
 * checkpoint covers them, so their removal would not show.
 */
function unprovenLine(report: AuditVerifyReport): string | undefined {
  const { unanchored, unanchoredFrom, provenThrough } = report.completeness;
  if (unanchored === 0 || unanchoredFrom === null) return undefined;
  const last = report.head?.seq ?? unanchoredFrom + unanchored - 1;
  const range = unanchored === 1 ? `seq ${unanchoredFrom}` : `seq ${unanchoredFrom} to ${last}`;
  const after =
    provenThrough === null
      ? 'no signed checkpoint covers them'
      : 'after the last signed checkpoint';
  return `UNPROVEN: ${plural(unanchored, 'entry', 'entries')} (${range}), ${after}: removing them would not show`;
}

function where(problem: {
  file: string | null;
  line: number | null;
  message: string;
  kind: string;
}) {
  const at =
    problem.file === null
      ? ''
      : ` (${problem.file}${problem.line === null ? '' : `:${problem.line}`})`;
  return `${problem.kind}: ${problem.message}${at}`;
}
