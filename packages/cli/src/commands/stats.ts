import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import { startProgress } from '../progress.js';
import { formatBytes, plural, table } from '../render/format.js';
import { withStore } from '../store-access.js';
import { contentOf } from '../tape-sizes.js';
import { type CliCommand, examples } from './command.js';

interface TapeStats {
  id: string;
  events: number;
  bytes: number;
  sharedBytes: number;
}

export const statsCommand: CliCommand = {
  name: 'stats',
  register(program, { out }, done) {
    program
      .command('stats')
      .description(
        'bytes per tape (bodies and chunks, each distinct content once), what tapes share, and the file’s size',
      )
      .argument('<store>', 'a tape store file')
      .option('--json', 'the figures as JSON')
      .addHelpText('after', examples('trace stats run.tape.db', 'trace stats run.tape.db --json'))
      .action(async (path: string, flags: { json?: boolean }) => {
        const { tapes, distinct } = await withStore(path, out.cwd, (store) => {
          const summaries = store.list();
          const perTape = new Map<string, Map<string, number>>();
          const users = new Map<string, number>();
          const progress = startProgress(out, 'reading', summaries.length);
          try {
            for (const summary of summaries) {
              const content = contentOf(store.load(summary.id));
              perTape.set(summary.id, content);
              for (const digest of content.keys()) users.set(digest, (users.get(digest) ?? 0) + 1);
              progress.tick();
            }
          } finally {
            progress.stop();
          }
          const distinct = new Map<string, number>();
          const tapes: TapeStats[] = summaries.map((summary) => {
            const content = perTape.get(summary.id) as Map<string, number>;
            let bytes = 0;
            let sharedBytes = 0;
            for (const [digest, length] of content) {
              distinct.set(digest, length);
              bytes += length;
              if ((users.get(digest) ?? 0) > 1) sharedBytes += length;
            }
            return { id: summary.id, events: summary.eventCount, bytes, sharedBytes };
          });
          return { tapes, distinct };
        });
        let contentBytes = 0;
        for (const length of distinct.values()) contentBytes += length;
        const fileBytes = statSync(resolve(out.cwd, path)).size;
        const totals = { tapes: tapes.length, blobs: distinct.size, contentBytes, fileBytes };
        if (flags.json) out.json({ ...totals, perTape: tapes });
        else {
          const c = out.colors;
          const rows = [['ID', 'EVENTS', 'BYTES', 'SHARED'].map((cell) => c.bold(cell))];
          for (const t of tapes)
            rows.push([t.id, String(t.events), formatBytes(t.bytes), formatBytes(t.sharedBytes)]);
          for (const line of table(rows)) out.line(line);
          out.line(
            `${plural(totals.tapes, 'tape')} · ${totals.blobs} distinct bodies and chunks, ${formatBytes(contentBytes)} · file ${formatBytes(fileBytes)}`,
          );
        }
        done(ExitCode.OK);
      });
  },
};
