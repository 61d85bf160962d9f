/**
 * @trace/blame: which step of a recorded agent run made it fail, measured by forking — each step
 * perturbed k times, flip rates with confidence intervals, exact tests and false-discovery
 * control across steps.
 */
export { blame } from './blame.js';
export type { BlameStopReason } from './budget.js';
export { BlameError, BlameErrorCode } from './errors.js';
export { type BlameEstimate, type EstimateOptions, estimateBlame } from './estimate.js';
export type { BlameBudget, BlameOptions, PriceTable, TrialInfo } from './options.js';
export { jsonPathEquals, jsonPathMatches, matchesText, type Oracle } from './oracle.js';
export { type Perturbation, perturbations } from './perturbations.js';
export type { BlameResult, StepBlame } from './result.js';
export { benjaminiHochberg } from './stats/benjamini-hochberg.js';
export { binomialPValue } from './stats/binomial-test.js';
export {
  type Interval,
  type IntervalMethod,
  type IntervalOptions,
  proportionInterval,
} from './stats/intervals.js';
export type { BlameStep, StepInfo } from './steps.js';
export { BLAME_METADATA_KEY, blameTapeId, loadBlame } from './storage.js';
