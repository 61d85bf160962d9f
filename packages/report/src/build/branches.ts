/**
 * The run's fork tree for the page, each branch with its diff against its parent computed now —
 * the page is offline, so it cannot ask later.
 */
import { type BranchNode, branchesOf, diffBranch } from '@trace/fork';
import type { TapeStore } from '@trace/tape';
import type { Json, ReportBranch } from '../shared/report-data.js';

export async function branchesForReport(
  store: TapeStore,
  id: string,
): Promise<readonly ReportBranch[]> {
  const tree = await branchesOf(store, id);
  return Promise.all(tree.branches.map((node) => shapeBranch(store, node, id)));
}

async function shapeBranch(
  store: TapeStore,
  node: BranchNode,
  parent: string,
): Promise<ReportBranch> {
  let diff: ReportBranch['diff'];
  let diffProblem: string | undefined;
  try {
    const d = await diffBranch(store, node.id);
    diff = {
      ...(d.parted === undefined ? {} : { parted: d.parted }),
      steps: d.steps.map((s) => ({
        step: s.step,
        part: s.part,
        differences: s.differences.map((x) => ({
          path: x.path,
          parent: x.parent as Json,
          branch: x.branch as Json,
        })),
      })),
    };
  } catch (cause) {
    diffProblem = cause instanceof Error ? cause.message : String(cause);
  }
  return {
    id: node.id,
    parent,
    fingerprint: node.fingerprint,
    at: node.at,
    intervention: node.intervention as Json,
    attached: node.attached,
    ...(diff === undefined ? {} : { diff }),
    ...(diffProblem === undefined ? {} : { diffProblem }),
    branches: await Promise.all(node.branches.map((child) => shapeBranch(store, child, node.id))),
  };
}
