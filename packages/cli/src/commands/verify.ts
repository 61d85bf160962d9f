import type { TapeVerifyProblem, TapeVerifyReport } from '@trace/tape';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';
import { formatBytes, plural } from '../render/format.js';
import { withStore } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

export const verifyCommand: CliCommand = {
  name: 'verify',
  register(program, { out }, done) {
    program
      .command('verify')
      .description(
        're-hash every blob and re-walk every tape’s chain (or one tape’s): the store’s full report; exit 1 on any problem',
      )
      .argument('<store>', 'a tape store file')
      .argument('[id]', 'verify only this tape')
      .option('--json', 'the report as JSON, for CI')
      .addHelpText(
        'after',
        examples('trace verify run.tape.db', 'trace verify run.tape.db agent-run --json'),
      )
      .action(async (path: string, id: string | undefined, flags: { json?: boolean }) => {
        const report = await withStore(path, out.cwd, (store) => {
          if (out.interactive && !flags.json) out.stderr.write('verifying…\r');
          return store.verify(id);
        });
        if (flags.json) out.json(report);
        else printReport(report, out);
        done(report.ok ? ExitCode.OK : ExitCode.PROBLEM);
      });
  },
};

function printReport(report: TapeVerifyReport, out: Output): void {
  const c = out.colors;
  for (const tape of report.tapes) {
    const state = tape.complete ? '' : c.yellow(' (incomplete)');
    out.line(
      `${tape.ok ? c.green('ok     ') : c.red('DAMAGED')} ${tape.id}${state} · ${plural(tape.eventCount, 'event')} · ${tape.computedFingerprint.slice(0, 12)}`,
    );
  }
  for (const problem of report.problems) out.line(c.red(`problem: ${describeProblem(problem)}`));
  out.line(
    `${report.ok ? c.green('verified') : c.red('FAILED')}: ${plural(report.tapes.length, 'tape')}, ${plural(report.blobsChecked, 'blob')} (${formatBytes(report.bytesChecked)}), ${plural(report.problems.length, 'problem')} · ${report.location}`,
  );
}

export function describeProblem(problem: TapeVerifyProblem): string {
  switch (problem.kind) {
    case 'blob-tampered':
      return `blob ${problem.digest.slice(0, 12)} no longer hashes to its digest (used by ${problem.referencedBy.map((ref) => `${ref.tapeId}#${ref.seq}`).join(', ') || 'no tape'})`;
    case 'chunk-tampered':
      return `chunk ${problem.digest.slice(0, 12)} no longer hashes to its digest: ${plural(problem.blobs.length, 'blob')} made from it (${problem.blobs.map((digest) => digest.slice(0, 12)).join(', ')}), used by ${problem.referencedBy.map((ref) => `${ref.tapeId}#${ref.seq}`).join(', ') || 'no tape'}`;
    case 'blob-missing':
      return `tape ${problem.tapeId} event ${problem.seq} refers to blob ${problem.digest.slice(0, 12)}, which the store does not hold`;
    case 'event-tampered':
      return `tape ${problem.tapeId} event ${problem.seq} was changed: the chain breaks there`;
    case 'event-undecodable':
      return `tape ${problem.tapeId} event ${problem.seq} cannot be decoded: ${problem.detail}`;
    case 'event-sequence':
      return `tape ${problem.tapeId} at event ${problem.seq}: ${problem.detail}`;
    case 'fingerprint-mismatch':
      return `tape ${problem.tapeId}: stored fingerprint ${problem.stored.slice(0, 12)} but the events hash to ${problem.computed.slice(0, 12)}`;
    case 'tape-summary':
      return `tape ${problem.tapeId}: what the store keeps beside its events disagrees with them: ${problem.detail}`;
    case 'store-integrity':
      return `store structure: ${problem.detail}`;
  }
}
