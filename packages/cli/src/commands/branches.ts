import { type BranchNode, branchesOf, verifyBranch } from '@trace/fork';
import { ExitCode } from '../exit-codes.js';
import { describeIntervention, describePoint } from '../fork/describe.js';
import type { Output } from '../io.js';
import { withStore } from '../store-access.js';
import { type CliCommand, examples } from './command.js';

interface BranchesFlags {
  verify?: boolean;
  json?: boolean;
}

/** A node of the tree with what `--verify` found. */
interface Checked extends Omit<BranchNode, 'branches'> {
  readonly problems?: readonly string[];
  readonly branches: readonly Checked[];
}

export const branchesCommand: CliCommand = {
  name: 'branches',
  register(program, { out }, done) {
    program
      .command('branches')
      .description(
        "a run's fork tree: its branches and theirs, where each was forked and what changed; --verify checks each against its parent",
      )
      .argument('<store>', 'the SQLite tape store')
      .argument('<run>', 'the run (or branch) whose branches to list')
      .option(
        '--verify',
        "check each branch: its digest, its parent's fingerprint and its prefix, event for event (exit 1 when one fails)",
      )
      .option('--json', 'the tree as JSON')
      .addHelpText(
        'after',
        examples('trace branches runs.tape.db trip', 'trace branches runs.tape.db trip --verify'),
      )
      .action(async (path: string, run: string, flags: BranchesFlags) => {
        const failed = await withStore(path, out.cwd, async (store) => {
          const tree = await branchesOf(store, run);
          const check = async (node: BranchNode): Promise<Checked> => ({
            ...node,
            ...(flags.verify ? { problems: (await verifyBranch(store, node.id)).problems } : {}),
            branches: await Promise.all(node.branches.map(check)),
          });
          const branches = await Promise.all(tree.branches.map(check));
          if (flags.json) out.json({ ...tree, branches });
          else printTree(out, tree.id, tree.fingerprint, branches, tree.unreadable);
          return flags.verify === true && someFailed(branches);
        });
        done(failed ? ExitCode.PROBLEM : ExitCode.OK);
      });
  },
};

function someFailed(nodes: readonly Checked[]): boolean {
  return nodes.some((node) => (node.problems?.length ?? 0) > 0 || someFailed(node.branches));
}

function printTree(
  out: Output,
  id: string,
  fingerprint: string,
  branches: readonly Checked[],
  unreadable: readonly string[],
): void {
  const c = out.colors;
  out.line(`${c.bold(id)} · ${fingerprint.slice(0, 12)}`);
  if (branches.length === 0) out.line(c.dim('  no branches'));
  const walk = (nodes: readonly Checked[], indent: string) => {
    nodes.forEach((node, index) => {
      const last = index === nodes.length - 1;
      const status =
        node.problems === undefined
          ? ''
          : node.problems.length === 0
            ? ` · ${c.green('verified')}`
            : ` · ${c.red('FAILED')}`;
      const detached = node.attached
        ? ''
        : ` · ${c.yellow('detached: its parent was re-recorded')}`;
      out.line(
        `${indent}${last ? '└─' : '├─'} ${c.bold(node.id)} · at ${describePoint(node.at)} · ${describeIntervention(node.intervention)} · ${node.fingerprint.slice(0, 12)}${detached}${status}`,
      );
      const below = `${indent}${last ? '   ' : '│  '}`;
      for (const problem of node.problems ?? []) out.line(`${below}  ${c.red('✗')} ${problem}`);
      walk(node.branches, below);
    });
  };
  walk(branches, '');
  if (unreadable.length > 0)
    out.line(
      c.yellow(
        `${unreadable.length} damaged tape(s) could not be read, and any branches among them are missing: ${unreadable.join(', ')} (trace verify says what is wrong)`,
      ),
    );
}
