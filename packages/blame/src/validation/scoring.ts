/**
 * How a validation scores what blame said about a run: was the planted step ranked first, was it
 * found responsible, which other steps were; and how the runs of a class, and of the control,
 * add up against the targets.
 */
import type { ForkPoint } from '@trace/fork';
import { invalidOption } from '../errors.js';
import type { BlameResult } from '../result.js';
import type { Interval } from '../stats/intervals.js';
import type { StepInfo } from '../steps.js';
import type { FaultClass, PlantedFault } from './faults.js';
import type { Fixture } from './fixture.js';
import type { Scenario } from './scenarios.js';

/** The targets a validation must meet (issue #17). */
export const VALIDATION_TARGETS = {
  /** Share of runs per class whose planted step blame ranks first. */
  top1: 0.95,
  /**
   * Steps other than the planted one found responsible, per `falseDiscoveryRuns` runs of a class
   * (the issue: at most one in twenty runs); a class of fewer runs is still allowed one.
   */
  falseDiscoveries: 1,
  falseDiscoveryRuns: 20,
  /** The flip rate no step of a healthy run may exceed (blame's null rate). */
  controlFlipRate: 0.3,
} as const;

/** The false discoveries a class of `runs` runs may have: one per twenty runs, at least one. */
export function falseDiscoveryLimit(runs: number): number {
  return Math.max(
    VALIDATION_TARGETS.falseDiscoveries,
    Math.floor(
      (runs * VALIDATION_TARGETS.falseDiscoveries) / VALIDATION_TARGETS.falseDiscoveryRuns,
    ),
  );
}

/** Where one run's fault goes: a scenario and a stage (no fault for the control). */
export interface Planting {
  readonly scenario: Scenario;
  readonly fault: PlantedFault | undefined;
}

/** A step blame called responsible, or one the control flagged. */
export interface Discovery {
  readonly run: string;
  readonly step: ForkPoint;
  readonly label: string;
  readonly flipRate: number;
  readonly interval: Interval;
  readonly pValue: number;
}

/** One planted (or healthy) run, blamed. */
export interface RunResult {
  readonly run: string;
  readonly faultClass: FaultClass | 'control';
  readonly scenario: string;
  /** The stage the fault was planted at (undefined for the control). */
  readonly stage?: number;
  /** The planted step, as blame counts steps. */
  readonly planted?: ForkPoint;
  readonly plantedLabel?: string;
  /** The planted step's place in blame's ranking, from 0 (undefined for the control). */
  readonly rank?: number;
  /** Ranked first, strictly above every other step's flip rate. */
  readonly top1: boolean;
  readonly inResponsible: boolean;
  readonly plantedFlipRate?: number;
  readonly plantedInterval?: Interval;
  /** Responsible steps other than the planted one (every responsible step, for the control). */
  readonly falseDiscoveries: readonly Discovery[];
  /** The step with the highest flip rate besides the planted one (any step, for the control). */
  readonly highestOther: Discovery | undefined;
  /** Recordings it took to get a run that only the planted fault failed (1 almost always). */
  readonly recordings: number;
  /**
   * False when no recording within MAX_RECORDINGS failed for the planted fault alone (or passed
   * without one): the run was not blamed, and counts as a miss.
   */
  readonly outcomeHeld: boolean;
  /** Trials run (forks), and those that ended UNDEFINED. */
  readonly forks: number;
  readonly undefinedTrials: number;
}

export interface ClassResult {
  readonly faultClass: FaultClass;
  readonly runs: readonly RunResult[];
  readonly top1: { readonly hits: number; readonly rate: number };
  readonly inResponsible: { readonly hits: number; readonly rate: number };
  readonly falseDiscoveries: readonly Discovery[];
  /** The targets this class missed (empty when it met them). */
  readonly missed: readonly string[];
}

export interface ControlResult {
  readonly runs: readonly RunResult[];
  /** Every step blame called responsible in a healthy run: there must be none. */
  readonly blamed: readonly Discovery[];
  /** Steps whose flip rate went above the null rate. */
  readonly overNull: readonly Discovery[];
  readonly maxFlipRate: number;
  readonly missed: readonly string[];
}

/** A run whose recorded outcome never came out as planted: nothing to blame, a miss. */
export function unblamed(planting: Planting, run: string, recordings: number): RunResult {
  return {
    run,
    faultClass: planting.fault?.faultClass ?? 'control',
    scenario: planting.scenario.name,
    ...(planting.fault === undefined ? {} : { stage: planting.fault.stage }),
    top1: false,
    inResponsible: false,
    falseDiscoveries: [],
    highestOther: undefined,
    recordings,
    outcomeHeld: false,
    forks: 0,
    undefinedTrials: 0,
  };
}

/** What blame said about one run, against the step the fault was planted at. */
export function scoreRun(
  fixture: Fixture,
  planting: Planting,
  run: string,
  recordings: number,
  result: BlameResult,
  steps: readonly StepInfo[],
): RunResult {
  const planted = fixture.plantedStep(steps);
  const key = (step: ForkPoint) => JSON.stringify(step);
  const index =
    planted === undefined ? -1 : result.steps.findIndex((s) => key(s.step) === key(planted));
  const discovery = (i: number): Discovery => {
    const s = result.steps[i]!;
    return {
      run,
      step: s.step,
      label: s.label,
      flipRate: s.flipRate,
      interval: s.interval,
      pValue: s.pValue,
    };
  };
  const others = result.ranking.filter((i) => i !== index);
  const highestOther = others.length === 0 ? undefined : discovery(others[0]!);
  const maxOther = highestOther?.flipRate ?? 0;
  const plantedStep = index === -1 ? undefined : result.steps[index]!;
  const rank = index === -1 ? -1 : result.ranking.indexOf(index);
  return {
    run,
    faultClass: planting.fault?.faultClass ?? 'control',
    scenario: planting.scenario.name,
    ...(planting.fault === undefined ? {} : { stage: planting.fault.stage }),
    ...(plantedStep === undefined
      ? {}
      : {
          planted: plantedStep.step,
          plantedLabel: plantedStep.label,
          rank,
          plantedFlipRate: plantedStep.flipRate,
          plantedInterval: plantedStep.interval,
        }),
    // First, and not merely first among equals: a tie at the top is not a localization.
    top1: plantedStep !== undefined && rank === 0 && plantedStep.flipRate > maxOther,
    inResponsible: index !== -1 && result.responsible.includes(index),
    falseDiscoveries: result.responsible.filter((i) => i !== index).map(discovery),
    highestOther,
    recordings,
    outcomeHeld: true,
    forks: result.steps.reduce((n, s) => n + s.trials, 0),
    undefinedTrials: result.steps.reduce((n, s) => n + s.undefined, 0),
  };
}

/** The runs of one class against the targets: top-1 share and false discoveries. */
export function summarizeClass(faultClass: FaultClass, runs: readonly RunResult[]): ClassResult {
  // With no runs there is no accuracy to judge (0/0), and no target can be said to be met.
  if (runs.length === 0)
    throw invalidOption(
      'runs',
      `The class ${faultClass} has no runs to score: give runs, 1 or more.`,
    );
  const top1 = runs.filter((r) => r.top1).length;
  const inSet = runs.filter((r) => r.inResponsible).length;
  const falseDiscoveries = runs.flatMap((r) => r.falseDiscoveries);
  const missed: string[] = runs
    .filter((r) => !r.outcomeHeld)
    .map(
      (r) =>
        `${faultClass}: run ${r.run} never failed for the planted fault alone in ${r.recordings} recordings, so it was not blamed`,
    );
  const rate = top1 / runs.length;
  if (rate < VALIDATION_TARGETS.top1)
    missed.push(
      `${faultClass}: top-1 accuracy ${rate.toFixed(2)} (${top1}/${runs.length}) is under ${VALIDATION_TARGETS.top1}`,
    );
  const limit = falseDiscoveryLimit(runs.length);
  if (falseDiscoveries.length > limit)
    missed.push(
      `${faultClass}: ${falseDiscoveries.length} false discoveries in ${runs.length} runs (at most ${limit}: one per ${VALIDATION_TARGETS.falseDiscoveryRuns} runs, at least one)`,
    );
  return {
    faultClass,
    runs,
    top1: { hits: top1, rate },
    inResponsible: { hits: inSet, rate: inSet / runs.length },
    falseDiscoveries,
    missed,
  };
}

/** The healthy runs against the targets: nothing blamed, no flip rate above the null rate. */
export function summarizeControl(runs: readonly RunResult[]): ControlResult {
  const blamed = runs.flatMap((r) => r.falseDiscoveries);
  const overNull = runs.flatMap((r) =>
    r.highestOther !== undefined && r.highestOther.flipRate > VALIDATION_TARGETS.controlFlipRate
      ? [r.highestOther]
      : [],
  );
  const maxFlipRate = Math.max(0, ...runs.map((r) => r.highestOther?.flipRate ?? 0));
  const missed: string[] = runs
    .filter((r) => !r.outcomeHeld)
    .map(
      (r) =>
        `control: healthy run ${r.run} never succeeded in ${r.recordings} recordings, so it was not blamed`,
    );
  if (blamed.length > 0)
    missed.push(
      `control: blame called ${blamed.length} step(s) of healthy runs responsible (must be none)`,
    );
  if (overNull.length > 0)
    missed.push(
      `control: ${overNull.length} healthy run(s) had a step with a flip rate above ${VALIDATION_TARGETS.controlFlipRate} (highest ${maxFlipRate.toFixed(2)})`,
    );
  return {
    runs,
    blamed,
    overNull,
    maxFlipRate,
    missed,
  };
}
