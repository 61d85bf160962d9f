/** `formatValidation`: a validation result as a plain-text table, for a terminal or a log. */
import { type Discovery, type RunResult, VALIDATION_TARGETS } from './scoring.js';
import type { ValidationResult } from './validate.js';

const fixed = (n: number) => n.toFixed(2);
const interval = (d: { interval: { low: number; high: number } }) =>
  `[${fixed(d.interval.low)}, ${fixed(d.interval.high)}]`;

/** One line for a step blame called responsible (or a control step over the null rate). */
function discoveryLine(d: Discovery, runs: readonly RunResult[]): string {
  const run = runs.find((r) => r.run === d.run);
  const where =
    run === undefined
      ? ''
      : ` (${run.scenario}${run.stage === undefined ? '' : `, fault at stage ${run.stage}`})`;
  return `  ${d.run}${where}: ${JSON.stringify(d.step)} ${d.label} flip ${fixed(d.flipRate)} ${interval(d)} p=${d.pValue.toExponential(2)}`;
}

/** UNDEFINED trials (diverged, errored, cut) out of all trials of the runs. */
function undefinedOf(runs: readonly RunResult[]): string {
  const trials = runs.reduce((n, r) => n + r.forks, 0);
  return `${runs.reduce((n, r) => n + r.undefinedTrials, 0)}/${trials}`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The result as text: a row per fault class and one for the control, then every false
 * discovery with its interval, every run whose planted step was not first, the forks per second,
 * and the targets met or missed.
 */
export function formatValidation(result: ValidationResult): string {
  const rows: string[][] = [
    [
      'class',
      'runs',
      'top-1',
      'in responsible set',
      'planted flip rate (min)',
      'false discoveries',
      'undefined trials',
      'target',
    ],
  ];
  for (const c of result.classes) {
    const n = c.runs.length;
    const minRate = Math.min(...c.runs.map((r) => r.plantedFlipRate ?? 0));
    rows.push([
      c.faultClass,
      String(n),
      `${c.top1.hits}/${n} ${fixed(c.top1.rate)}`,
      `${c.inResponsible.hits}/${n}`,
      fixed(minRate),
      String(c.falseDiscoveries.length),
      undefinedOf(c.runs),
      c.missed.length === 0 ? 'met' : 'MISSED',
    ]);
  }
  const control = result.control;
  rows.push([
    'control (no fault)',
    String(control.runs.length),
    '-',
    `${control.blamed.length} blamed`,
    `max ${fixed(control.maxFlipRate)}`,
    String(control.blamed.length),
    undefinedOf(control.runs),
    control.missed.length === 0 ? 'met' : 'MISSED',
  ]);

  const lines = [
    `Blame validation: k = ${result.k} trials per step, ${result.runsPerClass} runs per class, ${result.perturb} perturbations; null rate ${result.nullRate}, BH q ${result.q}, Wilson 95% intervals.`,
    `Targets: top-1 >= ${VALIDATION_TARGETS.top1}, at most ${VALIDATION_TARGETS.falseDiscoveries} false discovery per ${VALIDATION_TARGETS.falseDiscoveryRuns} runs of a class (at least ${VALIDATION_TARGETS.falseDiscoveries}), nothing blamed and no flip rate above ${VALIDATION_TARGETS.controlFlipRate} in the control.`,
    '',
    table(rows),
  ];
  const runs = [...result.classes.flatMap((c) => c.runs), ...control.runs];
  const discoveries = [...result.classes.flatMap((c) => c.falseDiscoveries), ...control.blamed];
  if (discoveries.length > 0) {
    lines.push('', 'False discoveries (responsible, but not the planted step):');
    for (const d of discoveries) lines.push(discoveryLine(d, runs));
  }
  const misses = result.classes.flatMap((c) => c.runs.filter((r) => !r.top1));
  if (misses.length > 0) {
    lines.push('', 'Runs whose planted step was not ranked first:');
    for (const r of misses)
      lines.push(
        `  ${r.run} (${r.scenario}, stage ${r.stage}): planted ${r.plantedLabel ?? '?'} rank ${(r.rank ?? -1) + 1}, flip ${fixed(r.plantedFlipRate ?? 0)}; highest other ${r.highestOther?.label ?? '-'} ${fixed(r.highestOther?.flipRate ?? 0)}`,
      );
  }
  if (control.overNull.length > 0) {
    lines.push('', `Control steps above the null rate ${result.nullRate}:`);
    for (const d of control.overNull) lines.push(discoveryLine(d, runs));
  }
  const seconds = result.wallMs / 1000;
  lines.push(
    '',
    `${result.forks} forks in ${seconds.toFixed(1)} s (${fixed(result.forks / Math.max(seconds, 1e-9))} forks/s).`,
    result.passed
      ? 'Every target met.'
      : `Missed:\n${result.missed.map((m) => `  ${m}`).join('\n')}`,
  );
  return lines.join('\n');
}
