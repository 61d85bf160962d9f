import { ExitCode } from '../exit-codes.js';
import { formatBytes, plural } from '../render/format.js';
import { withStore } from '../store-access.js';
import { contentOf } from '../tape-sizes.js';
import { type CliCommand, examples } from './command.js';

export const gcCommand: CliCommand = {
  name: 'gc',
  register(program, { out }, done) {
    program
      .command('gc')
      .description(
        'remove interrupted recordings (incomplete tapes) and the blobs only they used, reporting the bytes freed',
      )
      .argument('<store>', 'a tape store file')
      .option('--dry-run', 'report what would be removed, remove nothing')
      .option('--json', 'the result as JSON')
      .addHelpText('after', examples('trace gc run.tape.db --dry-run', 'trace gc run.tape.db'))
      .action(async (path: string, flags: { dryRun?: boolean; json?: boolean }) => {
        const result = await withStore(
          path,
          out.cwd,
          (store) => {
            const tapes = store.list();
            const doomed = tapes.filter((tape) => !tape.complete).map((tape) => tape.id);
            // Bytes freed: contents of the removed tapes that no remaining tape holds.
            const kept = new Set<string>();
            const freed = new Map<string, number>();
            for (const tape of tapes) {
              const content = contentOf(store.load(tape.id));
              if (tape.complete) for (const digest of content.keys()) kept.add(digest);
              else for (const [digest, length] of content) freed.set(digest, length);
            }
            let bytesFreed = 0;
            for (const [digest, length] of freed) if (!kept.has(digest)) bytesFreed += length;
            let blobsRemoved = 0;
            if (!flags.dryRun)
              for (const id of doomed) blobsRemoved += store.delete(id).blobsRemoved;
            return { removed: doomed, blobsRemoved, bytesFreed, dryRun: flags.dryRun === true };
          },
          flags.dryRun !== true,
        );
        if (flags.json) out.json(result);
        else {
          const verb = result.dryRun ? 'would remove' : 'removed';
          out.line(
            result.removed.length === 0
              ? 'nothing to collect: every tape is complete'
              : `${verb} ${plural(result.removed.length, 'incomplete tape')} (${result.removed.join(', ')}), freeing ${formatBytes(result.bytesFreed)}${result.dryRun ? '' : ` in ${plural(result.blobsRemoved, 'blob')}`}`,
          );
        }
        done(ExitCode.OK);
      });
  },
};
