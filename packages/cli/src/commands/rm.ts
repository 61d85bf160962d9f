import { TapeError } from '@trace/tape';
import { ExitCode } from '../exit-codes.js';
import { plural } from '../render/format.js';
import { withStore } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

export const rmCommand: CliCommand = {
  name: 'rm',
  register(program, { out }, done) {
    program
      .command('rm')
      .description('delete tapes, and every blob no other tape refers to, each in one atomic step')
      .argument('<store>', 'a tape store file')
      .argument('<ids...>', 'the ids of the tapes to delete')
      .option('--json', 'what was deleted, as JSON')
      .addHelpText(
        'after',
        examples('trace rm run.tape.db old-run', 'trace rm run.tape.db a b c --json'),
      )
      .action(async (path: string, ids: string[], flags: { json?: boolean }) => {
        const results = await withStore(
          path,
          out.cwd,
          (store) => {
            const missing = ids.filter((id) => !store.has(id));
            if (missing.length > 0) {
              throw new TapeError(
                'TAPE_ID_NOT_FOUND',
                `${path} holds no tape ${missing.map((id) => JSON.stringify(id)).join(', ')}: \`trace ls ${path}\` lists its ids. Nothing was deleted.`,
                { details: { missing } },
              );
            }
            return ids.map((id) => store.delete(id));
          },
          true,
        );
        if (flags.json) out.json(results);
        else
          for (const r of results)
            out.line(`deleted ${r.id} (${plural(r.blobsRemoved, 'blob')} freed)`);
        done(ExitCode.OK);
      });
  },
};
