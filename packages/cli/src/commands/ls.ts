import type { TapeSummary } from '@trace/tape';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';
import { formatBytes, table } from '../render/format.js';
import { withStore } from '../store-access.js';
import { tapeSizes } from '../tape-sizes.js';
import { type CliCommand, examples } from './command.js';

interface LsFlags {
  json?: boolean;
  size?: boolean;
}

export const lsCommand: CliCommand = {
  name: 'ls',
  register(program, { out }, done) {
    program
      .command('ls')
      .description(
        'the tapes in a store: id, state, exchanges, draws, annotations, created, fingerprint prefix',
      )
      .argument('<store>', 'a tape store file')
      .option('--size', 'add each tape’s size (reads every tape: slower on a large store)')
      .option('--json', 'one JSON array, full fingerprints')
      .addHelpText(
        'after',
        examples(
          'trace ls run.tape.db',
          'trace ls run.tape.db --size',
          'trace ls run.tape.db --json',
        ),
      )
      .action(async (path: string, flags: LsFlags) => {
        await withStore(path, out.cwd, (store) => {
          const tapes = store.list();
          const sizes = flags.size ? tapeSizes(store, tapes, out) : undefined;
          if (flags.json) out.json(tapes.map((tape) => jsonRow(tape, sizes?.get(tape.id))));
          else printTable(tapes, sizes, out);
        });
        done(ExitCode.OK);
      });
  },
};

function jsonRow(tape: TapeSummary, size: number | undefined): Record<string, unknown> {
  return {
    id: tape.id,
    complete: tape.complete,
    createdAt: tape.createdAt,
    events: tape.eventCount,
    exchanges: tape.counts.exchange,
    draws: tape.counts.draw,
    annotations: tape.counts.annotation,
    ...(size === undefined ? {} : { bytes: size }),
    fingerprint: tape.fingerprint,
  };
}

function printTable(
  tapes: readonly TapeSummary[],
  sizes: ReadonlyMap<string, number> | undefined,
  out: Output,
): void {
  if (tapes.length === 0) {
    out.line('no tapes');
    return;
  }
  const c = out.colors;
  const header = ['ID', 'STATE', 'EXCHANGES', 'DRAWS', 'ANNOTATIONS'];
  if (sizes) header.push('SIZE');
  header.push('CREATED', 'FINGERPRINT');
  const rows = [header.map((cell) => c.bold(cell))];
  for (const tape of tapes) {
    const row = [
      tape.id,
      tape.complete ? 'complete' : c.yellow('incomplete'),
      String(tape.counts.exchange),
      String(tape.counts.draw),
      String(tape.counts.annotation),
    ];
    if (sizes) row.push(formatBytes(sizes.get(tape.id) ?? 0));
    row.push(tape.createdAt, tape.fingerprint.slice(0, 12));
    rows.push(row);
  }
  for (const line of table(rows)) out.line(line);
}
