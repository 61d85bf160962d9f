import { randomBytes } from 'node:crypto';
import { diffBranch, ForkError, forkRun } from '@trace/fork';
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadAgentModule } from '../fork/agent-module.js';
import { describeIntervention, describePoint } from '../fork/describe.js';
import { type InterventionFlags, interventionOf, parseForkPoint } from '../fork/fork-flags.js';
import { plural } from '../render/format.js';
import { withStore } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

interface ForkFlags extends InterventionFlags {
  agent: string;
  at: string;
  id?: string;
  seed?: string;
  hybrid?: boolean;
  json?: boolean;
}

export const forkCommand: CliCommand = {
  name: 'fork',
  register(program, { out }, done) {
    program
      .command('fork')
      .description(
        'fork a recorded run at a step: the steps before it replay from the run, proven, one response or draw changes, and the agent runs on live into a branch tape in the same store',
      )
      .argument('<store>', 'the SQLite tape store holding the run (the branch is written to it)')
      .argument('<run>', 'the id of the run to fork (a recorded run, or a branch)')
      .requiredOption(
        '--agent <module>',
        'the agent: a JavaScript module exporting (ctx) => Promise<result> as runAgent takes it (default export, or module#name)',
      )
      .requiredOption('--at <step>', 'the fork point: exchange:N or draw:N, counted from 0')
      .option('--message <text>', "replace the model's answer at the fork point with this text")
      .option('--draw <json>', "replace the draw's value at the fork point (JSON)")
      .option('--resample', 'keep the request or draw, and let the live model or source answer it')
      .option(
        '--bytes-file <file>',
        "replace the response body with this file's bytes (- for stdin)",
      )
      .option(
        '--intervention <file>',
        "the intervention as JSON, in @trace/fork's shape (- for stdin)",
      )
      .option('--id <branch>', 'the branch id (default <run>.fork-<8 hex>)')
      .option('--seed <seed>', 'draws after the fork point from a seeded source (default: live)')
      .option('--hybrid', "answer a tail request from the run when it is the run's own request")
      .option('--json', 'the branch, the report and the first difference as JSON')
      .addHelpText(
        'after',
        examples(
          'trace fork runs.tape.db trip --agent ./agent.mjs --at exchange:3 --message "A day in Kyoto."',
          'trace fork runs.tape.db trip --agent ./agent.mjs#planner --at draw:0 --draw 4 --seed 7',
          'trace fork runs.tape.db trip --agent ./agent.mjs --at exchange:1 --resample --hybrid',
        ),
      )
      .action(async (path: string, parent: string, flags: ForkFlags) => {
        const at = parseForkPoint(flags.at);
        const intervene = interventionOf(flags, out.cwd);
        const agent = await loadAgentModule(flags.agent, out.cwd);
        const id = flags.id ?? `${parent}.fork-${randomBytes(4).toString('hex')}`;
        const tail = {
          hybrid: flags.hybrid === true,
          ...(flags.seed === undefined ? {} : { draws: { seed: flags.seed } }),
        };
        await withStore(
          path,
          out.cwd,
          async (store) => {
            let forked: Awaited<ReturnType<typeof forkRun>>;
            try {
              forked = await forkRun({ store, parent, at, intervene, tail, id }, agent);
            } catch (error) {
              if (ForkError.isInstance(error) || !(await store.has(id))) throw error;
              throw new CliError(
                'CLI_AGENT_FAILED',
                `The agent threw after the fork point: ${(error as Error).message}. The branch ${id} was saved as far as it got: replay it, or diff it with trace branches.`,
                { cause: error, details: { branch: id } },
              );
            }
            const difference = await diffBranch(store, id);
            const { branch, report, value } = forked;
            if (flags.json) {
              out.json({ branch, report, parted: difference.parted ?? null, value });
            } else {
              const c = out.colors;
              out.line(
                `${c.bold(`forked ${parent} at ${describePoint(at)}`)} → branch ${c.bold(branch.id)} · ${branch.fingerprint.slice(0, 12)}`,
              );
              out.line(`  changed: ${describeIntervention(branch.intervention)}`);
              out.line(
                `  prefix:  ${plural(report.prefix.exchanges, 'exchange')} and ${plural(report.prefix.draws, 'draw')} served from the run, each proven by hash`,
              );
              out.line(
                `  tail:    ${plural(report.tail.live, 'live request')}, ${report.tail.fromParent} answered from the run, ${plural(report.tail.draws, 'draw')}`,
              );
              const first = difference.steps[0];
              out.line(
                first === undefined
                  ? '  parted:  nowhere — the branch is step for step the run'
                  : `  parted:  at ${describePoint(first.step)} (${first.part}${first.differences[0] ? `: ${first.differences[0].path}` : ''}), ${plural(difference.steps.length, 'differing step')} in all`,
              );
              out.line(`  result:  ${short(value)}`);
            }
          },
          true,
        );
        done(ExitCode.OK);
      });
  },
};

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
