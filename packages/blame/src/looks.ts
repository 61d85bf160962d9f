/**
 * The trials of a blame, look by look: k at every step, then — with the adaptive design — the
 * extra trials at the steps whose first-look interval still holds the null rate.
 */
import type { BlameOptions, TrialInfo } from './options.js';
import type { PlannedStep } from './plan.js';
import { runPool } from './pool.js';
import { type Design, lookInterval, tally } from './result.js';
import { undecided } from './stats/adaptive.js';
import { runTrial, type TrialOutcome, type TrialSetup } from './trial.js';

export interface LookOptions {
  readonly run: string;
  readonly extraTrials: number;
  readonly concurrency: number;
  readonly onProgress: BlameOptions<never>['onProgress'];
}

/** Each step's outcomes by look (one look, or two for the steps that went on), and the branches left. */
export async function runLooks<T>(
  setup: TrialSetup<T>,
  planned: readonly PlannedStep[],
  design: Design,
  options: LookOptions,
): Promise<{ looks: TrialOutcome[][][]; branches: string[] }> {
  const progress = { done: 0, total: planned.length * design.k };
  const branches: string[] = [];
  const runLook = async (
    steps: readonly { index: number; planned: PlannedStep }[],
    look: 1 | 2,
    from: number,
    count: number,
  ): Promise<TrialOutcome[][]> => {
    const tasks = steps.flatMap(({ index, planned: step }) =>
      Array.from({ length: count }, (_, i) => async () => {
        const trial = from + i;
        // The seed names the trial, not the order it ran in: equal at any concurrency.
        const info: TrialInfo = {
          step: step.info.step,
          stepIndex: index,
          trial,
          look,
          seed: `${options.run}/${index}/${trial}`,
        };
        const report = await runTrial(setup, step, info);
        if (report.branch !== undefined) branches.push(report.branch);
        progress.done++;
        options.onProgress?.({ done: progress.done, total: progress.total, step: step.info.step });
        return report.outcome;
      }),
    );
    const outcomes = await runPool(tasks, options.concurrency);
    return steps.map((_, s) => outcomes.slice(s * count, (s + 1) * count));
  };

  const all = planned.map((step, index) => ({ index, planned: step }));
  const first = await runLook(all, 1, 0, design.k);
  const looks: TrialOutcome[][][] = first.map((outcomes) => [outcomes]);
  if (design.adaptive) {
    const open = all.filter(({ index }) => {
      const { valid, flips } = tally(first[index]!);
      return undecided(lookInterval(flips, valid, design), design.nullRate);
    });
    progress.total += open.length * options.extraTrials;
    const second = await runLook(open, 2, design.k, options.extraTrials);
    for (const [i, { index }] of open.entries()) looks[index]!.push(second[i]!);
  }
  return { looks, branches: branches.sort() };
}
