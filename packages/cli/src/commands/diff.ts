import type { Tape } from '@trace/tape';
import { aroundDifference, type JsonDifference } from '../diff/json-diff.js';
import { diffTapes, type StepDiff } from '../diff/tape-diff.js';
import { ExitCode } from '../exit-codes.js';
import type { Output } from '../io.js';
import { plural, table } from '../render/format.js';
import { loadTapeRef } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

interface DiffFlags {
  timing?: boolean;
  json?: boolean;
  all?: boolean;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  register(program, { out }, done) {
    program
      .command('diff')
      .description(
        'two runs step by step: where they part, a per-step table, and JSON bodies diffed down to the path; exit 1 when they differ',
      )
      .argument('<a>', 'a tape: a store holding one tape, store#id, or a `trace dump` file')
      .argument('<b>', 'the other tape, in the same forms')
      .option('--timing', 'also compare timing (heads, bodies, chunk offsets)')
      .option('--all', 'list every step in the table, not only differing ones and their neighbours')
      .option('--json', 'the steps and differences as JSON')
      .addHelpText(
        'after',
        examples(
          'trace diff run.tape.db#monday run.tape.db#tuesday',
          'trace diff fixtures/agent-run.tape.jsonl run.tape.db#agent-run',
        ),
      )
      .action((a: string, b: string, flags: DiffFlags) => {
        const left = loadTapeRef(a, out.cwd);
        const right = loadTapeRef(b, out.cwd);
        const steps = diffTapes(left.events, right.events, { timing: flags.timing === true });
        const parted = steps.find((step) => step.status !== 'same');
        if (flags.json) {
          out.json({
            a: describe(a, left),
            b: describe(b, right),
            same: parted === undefined,
            partAt: parted?.step ?? null,
            steps: steps.filter((step) => step.status !== 'same'),
          });
        } else {
          printDiff(a, left, b, right, steps, parted, flags.all === true, out);
        }
        done(parted === undefined ? ExitCode.OK : ExitCode.PROBLEM);
      });
  },
};

function describe(ref: string, tape: Tape) {
  return { ref, id: tape.id, events: tape.events.length, fingerprint: tape.fingerprint };
}

function printDiff(
  aRef: string,
  a: Tape,
  bRef: string,
  b: Tape,
  steps: readonly StepDiff[],
  parted: StepDiff | undefined,
  all: boolean,
  out: Output,
): void {
  const c = out.colors;
  out.line(`a: ${aRef} · ${plural(a.events.length, 'event')} · ${a.fingerprint.slice(0, 12)}`);
  out.line(`b: ${bRef} · ${plural(b.events.length, 'event')} · ${b.fingerprint.slice(0, 12)}`);
  if (parted === undefined) {
    out.line(
      c.green(
        a.fingerprint === b.fingerprint
          ? 'identical: same fingerprint'
          : 'the same, step for step (timing aside: --timing compares it)',
      ),
    );
    return;
  }
  const differing = steps.filter((step) => step.status !== 'same');
  out.line(
    c.bold(`they part at step ${parted.step}`) +
      ` · ${differing.length} of ${plural(steps.length, 'step')} ${differing.length === 1 ? 'differs' : 'differ'}`,
  );
  out.line();
  for (const step of differing.slice(0, 20)) {
    out.line(c.bold(`step ${step.step}: ${stepTitle(step)}`));
    for (const difference of step.differences.slice(0, 20)) {
      for (const line of differenceLines(difference)) out.line(`  ${line}`);
    }
    if (step.differences.length > 20) out.line(`  … and more`);
  }
  if (differing.length > 20)
    out.line(`… ${differing.length - 20} more differing steps (--json lists all)`);
  out.line();
  const rows: string[][] = [['STEP', '', 'A', 'B'].map((cell) => c.bold(cell))];
  let skipped = 0;
  const flushSkipped = () => {
    if (skipped > 0) rows.push(['…', '', c.dim(`${plural(skipped, 'identical step')}`), '']);
    skipped = 0;
  };
  steps.forEach((step, index) => {
    const near = steps.slice(Math.max(0, index - 1), index + 2).some((s) => s.status !== 'same');
    if (!all && !near) {
      skipped++;
      return;
    }
    flushSkipped();
    const mark =
      step.status === 'same'
        ? '='
        : step.status === 'changed'
          ? c.red('≠')
          : c.yellow(step.status === 'only-a' ? '<' : '>');
    rows.push([
      String(step.step),
      mark,
      step.a ?? '',
      step.status === 'same' ? '' : (step.b ?? ''),
    ]);
  });
  flushSkipped();
  for (const line of table(rows)) out.line(line);
}

function stepTitle(step: StepDiff): string {
  if (step.status === 'only-a') return `only in a: ${step.a}`;
  if (step.status === 'only-b') return `only in b: ${step.b}`;
  return step.a === step.b ? (step.a ?? '') : `${step.a}  →  ${step.b}`;
}

function differenceLines(difference: JsonDifference): string[] {
  const path = difference.path.replace(/^\$\.?/, '') || '(the whole value)';
  if (difference.kind === 'added') return [`${path}: only in b: ${short(difference.b)}`];
  if (difference.kind === 'removed') return [`${path}: only in a: ${short(difference.a)}`];
  if (typeof difference.a === 'string' && typeof difference.b === 'string') {
    const [a, b] = aroundDifference(difference.a, difference.b);
    return [`${path}:`, `  a: ${JSON.stringify(a)}`, `  b: ${JSON.stringify(b)}`];
  }
  return [`${path}: ${short(difference.a)} → ${short(difference.b)}`];
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
