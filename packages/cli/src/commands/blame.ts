import type { BlameResult, StepBlame } from '@trace/blame';
import {
  type BudgetFlags,
  budgetOf,
  type OracleFlags,
  oracleOf,
  perturbOf,
  pricesOf,
} from '../blame/blame-flags.js';
import { ExitCode } from '../exit-codes.js';
import { loadAgentModule } from '../fork/agent-module.js';
import { describePoint } from '../fork/describe.js';
import type { Output } from '../io.js';
import { startProgress } from '../progress.js';
import { table } from '../render/format.js';
import { withStore } from '../store-access.js';
import { type CliCommand, examples, naturalNumber } from './command.js';

interface BlameFlags extends OracleFlags, BudgetFlags {
  agent: string;
  steps: string;
  trials: number;
  concurrency: number;
  adaptive?: boolean;
  hybrid: boolean;
  keepBranches?: boolean;
  estimate?: boolean;
  all?: boolean;
  json?: boolean;
}

export const blameCommand: CliCommand = {
  name: 'blame',
  register(program, { out }, done) {
    program
      .command('blame')
      .description(
        'which step made a run turn out as it did: each step forked and perturbed k times, its flip rate with a 95% interval, the responsible steps by an exact test with false-discovery control; the result stored beside the run',
      )
      .argument('<store>', 'the SQLite tape store holding the run (and where the result goes)')
      .argument('<run>', 'the recorded run to blame')
      .requiredOption(
        '--agent <module>',
        'the agent: a JavaScript module exporting (ctx) => Promise<result> (default export, or module#name)',
      )
      .option('--oracle <module>', "the outcome: a module's function (result) => boolean")
      .option('--expect <path=json>', 'the outcome: the result at a JSON path equals this JSON')
      .option('--expect-match <path=regex>', 'the outcome: the text at a JSON path matches')
      .option(
        '--steps <kinds>',
        'which steps: a comma list of exchanges, tools, draws',
        'exchanges,tools,draws',
      )
      .option('--trials <k>', 'trials per step', naturalNumber, 20)
      .option('--concurrency <n>', 'trials at once', naturalNumber, 4)
      .option('--adaptive', 'a second look: more trials where a step is still undecided')
      .option('--max-calls <n>', 'refuse, or stop, past this many live model calls', naturalNumber)
      .option('--max-tokens <n>', 'refuse, or stop, past this many tokens', naturalNumber)
      .option('--max-usd <x>', 'refuse, or stop, past this many dollars (needs --prices)')
      .option('--prices <file>', 'USD per million input and output tokens, per model, as JSON')
      .option(
        '--no-hybrid',
        "send every tail call live, and draw every tail value afresh (default: the run's own while the tail lines up with it)",
      )
      .option('--keep-branches', 'keep every trial branch in the store')
      .option('--estimate', 'print what the blame would spend, and spend nothing')
      .option('--all', 'list every step, not only the first ten')
      .option('--json', 'the whole result as JSON')
      .addHelpText(
        'after',
        examples(
          'trace blame runs.tape.db trip --agent ./agent.mjs --expect "days[0].accepted=true"',
          'trace blame runs.tape.db trip --agent ./agent.mjs --oracle ./checks.mjs#planIsGood --steps exchanges,tools --trials 10',
          'trace blame runs.tape.db trip --agent ./agent.mjs --expect-match "plan=Kyoto" --estimate --prices prices.json',
        ),
      )
      .action(async (path: string, run: string, flags: BlameFlags) => {
        const { blame, estimateBlame } = await import('@trace/blame');
        const agent = await loadAgentModule(flags.agent, out.cwd);
        const oracle = await oracleOf(flags, out.cwd);
        const prices = pricesOf(flags.prices, out.cwd);
        const common = {
          run,
          perturb: perturbOf(flags.steps),
          trials: flags.trials,
          budget: budgetOf(flags),
          ...(prices === undefined ? {} : { prices }),
          ...(flags.adaptive ? { adaptive: true } : {}),
        };
        await withStore(
          path,
          out.cwd,
          async (store) => {
            if (flags.estimate) {
              const estimate = await estimateBlame({ store, ...common });
              if (flags.json) out.json(estimate);
              else
                out.line(
                  `blame of ${run} would run ${estimate.trials} trials: about ${estimate.calls} live calls, ${estimate.tokens} tokens${estimate.usd === undefined ? '' : `, $${estimate.usd.toFixed(4)}`}${estimate.measured ? '' : ' (some usage estimated from sizes)'}`,
                );
              return;
            }
            // A bar on stderr when it is a terminal, sized once the first trial says the total.
            let bar: ReturnType<typeof startProgress> | undefined;
            let result: BlameResult;
            try {
              result = await blame(
                {
                  store,
                  ...common,
                  oracle,
                  concurrency: flags.concurrency,
                  tail: (trial) => ({ hybrid: flags.hybrid, draws: { seed: trial.seed } }),
                  hybridDraws: flags.hybrid,
                  ...(flags.keepBranches ? { keepBranches: true } : {}),
                  onProgress: ({ total }) => {
                    bar ??= startProgress(out, 'blame', total);
                    bar.tick();
                  },
                },
                agent,
              );
            } finally {
              bar?.stop();
            }
            if (flags.json) out.json(result);
            else printBlame(out, result, flags.all === true);
          },
          true,
        );
        done(ExitCode.OK);
      });
  },
};

function printBlame(out: Output, result: BlameResult, all: boolean): void {
  const c = out.colors;
  out.line(
    `${c.bold(`blame of ${result.run}`)} · oracle: ${result.oracle} (${result.parentOutcome ? 'held' : 'failed'} on the run) · ${result.trials} trials a step, ${result.method} ${Math.round(result.confidence * 100)}% intervals, null rate ${result.nullRate}, q ${result.q}`,
  );
  const shown = all ? result.ranking : result.ranking.slice(0, 10);
  const rows: string[][] = [
    ['RANK', 'STEP', 'WHAT', 'FLIPS', 'RATE', 'INTERVAL', 'P', ''].map((h) => c.bold(h)),
  ];
  for (const [rank, index] of shown.entries()) {
    const step = result.steps[index] as StepBlame;
    rows.push([
      String(rank + 1),
      describePoint(step.step),
      step.label,
      `${step.flips}/${step.valid}`,
      `${Math.round(step.flipRate * 100)}%`,
      `${step.interval.low.toFixed(2)}–${step.interval.high.toFixed(2)}`,
      step.pValue < 0.0001 ? '<0.0001' : step.pValue.toFixed(4),
      step.responsible
        ? c.red('RESPONSIBLE')
        : step.trustworthy
          ? ''
          : c.yellow(`untrustworthy (${step.undefined} undefined)`),
    ]);
  }
  for (const line of table(rows)) out.line(line);
  if (shown.length < result.ranking.length)
    out.line(c.dim(`… ${result.ranking.length - shown.length} more steps (--all lists them)`));
  const responsible = result.responsible.map((index) => {
    const step = result.steps[index] as StepBlame;
    return `${describePoint(step.step)} (${step.label})`;
  });
  out.line(
    responsible.length === 0
      ? 'responsible: no step (none flips the outcome significantly more often than the null rate)'
      : `responsible: ${responsible.join(', ')}`,
  );
  const spend = `${result.spend.calls} live calls, ${result.spend.tokens} tokens${result.spend.usd === undefined ? '' : `, $${result.spend.usd.toFixed(4)}`}`;
  out.line(
    `spent: ${spend}${result.partial ? c.yellow(' · the budget ran out: some steps have fewer trials') : ''}`,
  );
  out.line(`stored beside the run as ${result.run}.blame; trace report shows it`);
}
