/**
 * `trace serve`: the local viewer of `@trace/report` over a store, in its own process. It prints
 * its URL (the one line on stdout), and on SIGINT or SIGTERM stops and exits 0.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { type CliCommand, examples, naturalNumber } from './command.js';

interface ServeFlags {
  port: number;
  host?: string;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, { out }, done) {
    program
      .command('serve')
      .description(
        "a local, read-only viewer of a store's runs on 127.0.0.1: each run's report, a run being recorded shown live; pages of other origins are refused",
      )
      .argument('<store>', 'the SQLite tape store')
      .option('--port <n>', 'the port (0 picks a free one)', naturalNumber, 8898)
      .option('--host <address>', 'the address to listen on (default 127.0.0.1)')
      .addHelpText(
        'after',
        examples('trace serve runs.tape.db', 'trace serve runs.tape.db --port 0'),
      )
      .action(async (path: string, flags: ServeFlags) => {
        const { startViewer } = await import('@trace/report');
        const store = resolve(out.cwd, path);
        if (!existsSync(store))
          throw new CliError('CLI_FILE_NOT_FOUND', `No store at ${path}: check the path.`, {
            details: { path },
          });
        const viewer = await startViewer({
          path: store,
          port: flags.port,
          ...(flags.host === undefined ? {} : { host: flags.host }),
        });
        const stop = (signal: NodeJS.Signals) => {
          out.error(`[trace serve] ${signal}: closing`);
          void viewer.close().then(
            () => process.exit(ExitCode.OK),
            () => process.exit(ExitCode.PROBLEM),
          );
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        out.line(`${viewer.url} · the runs of ${path}, read-only · Ctrl-C to stop`);
        out.flush();
        // The process lives on while the viewer listens; a signal ends it.
        done(ExitCode.OK);
      });
  },
};
