/**
 * @trace/fork: fork a recorded run at any step — the prefix replays for free and proven, one
 * response or draw changes, the tail runs on — into a branch tape in the same store.
 */
export {
  BRANCH_METADATA_KEY,
  type Branch,
  type BranchRecord,
  type BranchVerification,
  branchDigest,
  verifyBranch,
} from './branch.js';
export {
  type BranchDiff,
  diffBranch,
  type JsonDifference,
  type StepDifference,
} from './diff.js';
export { ForkError, ForkErrorCode } from './errors.js';
export { type ForkReport, type ForkRun, forkRun } from './fork-run.js';
export type { ForkOptions, ForkPoint, ForkToolCall, Intervention, TailOptions } from './options.js';
export { type BranchNode, type BranchTree, branchesOf } from './tree.js';
