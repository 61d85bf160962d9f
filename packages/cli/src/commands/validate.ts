/**
 * `trace validate`: @trace/blame's validation — faults planted in fixture agents at known steps,
 * each faulty run blamed, and blame scored on finding them — with its table, and exit 1 when a
 * target is missed. Offline against a scripted model on 127.0.0.1, for $0.
 */
import { CliError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { startProgress } from '../progress.js';
import { type CliCommand, examples, naturalNumber } from './command.js';

interface ValidateFlags {
  k: number;
  runs: number;
  classes?: string;
  positions?: string;
  concurrency: number;
  seed?: string;
  perturb: string;
  json?: boolean;
}

const PERTURB = ['fixture', 'resample', 'drop-message'] as const;

export const validateCommand: CliCommand = {
  name: 'validate',
  register(program, { out }, done) {
    program
      .command('validate')
      .description(
        'check that blame finds planted causes: five fault classes planted at known steps of fixture agents, each faulty run blamed, top-1 accuracy and false discoveries per class beside a negative control; exit 1 when a target is missed',
      )
      .option('--k <n>', 'trials per step', naturalNumber, 20)
      .option('--runs <n>', 'runs per fault class, and of the control', naturalNumber, 20)
      .option('--classes <list>', 'the fault classes, comma separated (default: all five)')
      .option('--positions <list>', 'the stages to plant at, comma separated (default: every one)')
      .option('--concurrency <n>', 'trials at once inside each blame', naturalNumber, 4)
      .option('--seed <seed>', 'seeds every recording and trial (default: validate)')
      .option('--perturb <kind>', `the perturbations: ${PERTURB.join(', ')}`, 'fixture')
      .option('--json', 'the whole result as JSON')
      .addHelpText(
        'after',
        examples(
          'trace validate',
          'trace validate --k 8 --runs 4 --classes corrupted-tool-output,dropped-message',
          'trace validate --perturb resample --k 10 --runs 10',
        ),
      )
      .action(async (flags: ValidateFlags) => {
        const { FAULT_CLASSES, formatValidation, validate } = await import(
          '@trace/blame/validation'
        );
        type FaultClass = (typeof FAULT_CLASSES)[number];
        if (!(PERTURB as readonly string[]).includes(flags.perturb))
          throw new CliError(
            'CLI_USAGE',
            `--perturb is ${JSON.stringify(flags.perturb)}; use one of ${PERTURB.join(', ')}.`,
            { details: { option: 'perturb' } },
          );
        const classes = flags.classes?.split(',').map((name) => name.trim());
        for (const name of classes ?? [])
          if (!(FAULT_CLASSES as readonly string[]).includes(name))
            throw new CliError(
              'CLI_USAGE',
              `--classes names ${JSON.stringify(name)}, which is not a fault class: use ${FAULT_CLASSES.join(', ')}.`,
              { details: { option: 'classes' } },
            );
        const positions = flags.positions?.split(',').map((stage) => {
          if (!/^\d+$/.test(stage.trim()))
            throw new CliError(
              'CLI_USAGE',
              `--positions takes stage numbers from 0, comma separated; ${JSON.stringify(stage)} is not one.`,
              { details: { option: 'positions' } },
            );
          return Number(stage.trim());
        });
        let bar: ReturnType<typeof startProgress> | undefined;
        let result: Awaited<ReturnType<typeof validate>>;
        try {
          result = await validate({
            k: flags.k,
            runs: flags.runs,
            concurrency: flags.concurrency,
            perturb: flags.perturb as (typeof PERTURB)[number],
            ...(classes === undefined ? {} : { classes: classes as FaultClass[] }),
            ...(positions === undefined ? {} : { positions }),
            ...(flags.seed === undefined ? {} : { seed: flags.seed }),
            onRun: (_run, _done, total) => {
              bar ??= startProgress(out, 'validate', total);
              bar.tick();
            },
          });
        } finally {
          bar?.stop();
        }
        if (flags.json) out.json(result);
        else for (const line of formatValidation(result).split('\n')) out.line(line);
        done(result.passed ? ExitCode.OK : ExitCode.PROBLEM);
      });
  },
};
