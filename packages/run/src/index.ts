/**
 * @trace/run: one call records or replays a whole agent run — its model calls and its
 * nondeterminism in one tape — with the agent as a function of its context.
 */
export { DIVERGENCE_HEADER, divergenceResponse } from './divergence.js';
export { RunError, RunErrorCode } from './errors.js';
export { MODE_VARIABLE, RUN_MODES, type RunMode } from './mode.js';
export { type Run, type RunOptions, SDK_LIBRARIES } from './options.js';
export type { RunDivergence, RunReport } from './report.js';
export { openRun } from './run.js';
export {
  type Agent,
  type AgentContext,
  type AgentRun,
  type AgentRunOptions,
  runAgent,
} from './run-agent.js';
export { type OpenedStore, openRunStore, type StoreChoice } from './store.js';
