import { dumpLines } from '../dump/format.js';
import { ExitCode } from '../exit-codes.js';
import { textSink } from '../sink.js';
import { loadTapeRef } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

export const dumpCommand: CliCommand = {
  name: 'dump',
  register(program, { out }, done) {
    program
      .command('dump')
      .description(
        'a tape as stable, diffable text: a header line, then one JSON line per event (bodies as JSON where they are JSON, text where UTF-8, else base64)',
      )
      .argument('<store>', 'a tape store file')
      .argument('[id]', 'the tape id (may be left out when the store holds one tape)')
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .addHelpText(
        'after',
        examples(
          'trace dump run.tape.db agent-run > agent-run.tape.jsonl',
          'trace dump run.tape.db agent-run -o fixtures/agent-run.tape.jsonl',
        ),
      )
      .action(async (store: string, id: string | undefined, flags: { output?: string }) => {
        const tape = loadTapeRef(store, out.cwd, id);
        const sink = textSink(out, flags.output);
        for (const line of dumpLines(tape)) await sink.line(line);
        await sink.close();
        done(ExitCode.OK);
      });
  },
};
