import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDump } from '../dump/parse.js';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { plural } from '../render/format.js';
import { withStore } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

interface LoadFlags {
  allowEdited?: boolean;
  json?: boolean;
}

export const loadCommand: CliCommand = {
  name: 'load',
  register(program, { out }, done) {
    program
      .command('load')
      .description(
        'a tape dump back into a store (created when missing), with the same fingerprint; `-` reads the dump from stdin',
      )
      .argument('<dump>', 'a file written by `trace dump`, or - for stdin')
      .argument('<store>', 'the tape store file to load it into')
      .option('--allow-edited', 'take a dump whose events no longer hash to its stated fingerprint')
      .option('--json', 'print the result as JSON')
      .addHelpText(
        'after',
        examples(
          'trace load fixtures/agent-run.tape.jsonl run.tape.db',
          'trace dump a.tape.db run-1 | trace load - b.tape.db',
        ),
      )
      .action(async (dump: string, store: string, flags: LoadFlags) => {
        const text = readDump(dump, out.cwd);
        const { header, tape, fingerprintMatches } = parseDump(text, dump, {
          allowEdited: flags.allowEdited === true,
        });
        const result = await withStore(
          store,
          out.cwd,
          async (target) => {
            if (header.complete) return target.save(tape);
            // An interrupted recording stays incomplete: recorded, never finished.
            const recorder = target.record({ id: tape.id, metadata: tape.metadata });
            for (const event of tape.events) recorder.append(event);
            return { id: tape.id, fingerprint: recorder.fingerprint, created: true };
          },
          true,
        );
        if (flags.json)
          out.json({ ...result, complete: header.complete, edited: !fingerprintMatches });
        else
          out.line(
            `${result.created ? 'loaded' : 'already there:'} ${result.id} (${plural(tape.events.length, 'event')}, fingerprint ${result.fingerprint.slice(0, 12)}${header.complete ? '' : ', incomplete'})`,
          );
        done(ExitCode.OK);
      });
  },
};

function readDump(path: string, cwd: string): string {
  try {
    return readFileSync(path === '-' ? 0 : resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new CliError('CLI_FILE_NOT_FOUND', `Cannot read the dump ${path}: check the path.`, {
      cause: error,
      details: { path },
    });
  }
}
