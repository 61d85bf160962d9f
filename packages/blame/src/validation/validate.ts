/**
 * `validate`: does blame find planted causes? Each fault class is planted at several stages of
 * the fixture agents, the faulty run is recorded into a real SQLite store, blame runs on it, and
 * the planted step is looked for in the ranking and the responsible set. Healthy runs are blamed
 * the same way as a negative control. The result says, per class, how often the planted step
 * came first, how often it was found responsible, and every other step blame called responsible.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRunStore } from '@trace/run';
import type { TapeStore } from '@trace/tape';
import { blame } from '../blame.js';
import { invalidOption } from '../errors.js';
import { runSteps } from '../steps.js';
import { FAULT_CLASSES, type FaultClass, type PlantedFault, plantableStages } from './faults.js';
import {
  PERTURBATION_CHOICES,
  type PerturbationChoice,
  perturbationOf,
  startFixture,
} from './fixture.js';
import { UNSUPPORTED_CONCERN } from './fixture-model.js';
import { type Scenario, scenarios } from './scenarios.js';
import {
  type ClassResult,
  type ControlResult,
  type Planting,
  type RunResult,
  scoreRun,
  summarizeClass,
  summarizeControl,
  unblamed,
} from './scoring.js';

export interface ValidationOptions {
  /** Trials per step (blame's k). Default 20, as blame's. */
  readonly k?: number;
  /** Runs per fault class, and of the control. Default 20. */
  readonly runs?: number;
  /** The stages faults are planted at (from 0). Default: every stage a class can be planted at. */
  readonly positions?: readonly number[];
  /** The fault classes to validate. Default: all five. */
  readonly classes?: readonly FaultClass[];
  /** Trials run at once inside each blame. Default 4. */
  readonly concurrency?: number;
  /** Seeds every recording (and so every run id and trial seed). Default `'validate'`. */
  readonly seed?: string | number;
  /** The SQLite store file the runs are recorded into. Default: a temporary one, removed after. */
  readonly path?: string;
  /** The fixture model's chance to overlook a piece of evidence in a turn. Default 0.05. */
  readonly slip?: number;
  /** The fixture model's chance to raise a concern nothing supports in a turn. Default 0.01. */
  readonly falseAlarm?: number;
  /**
   * The perturbations each run is blamed with. Default `'fixture'`: empty tool answers, the
   * plan's bare action at model calls, resample at the final call, redraw elsewhere. `'resample'`
   * (blame's defaults) and `'drop-message'` are there to show what they cannot find.
   */
  readonly perturb?: PerturbationChoice;
  /** Called after each blamed run. */
  readonly onRun?: (run: RunResult, done: number, total: number) => void;
}

export interface ValidationResult {
  readonly k: number;
  readonly perturb: PerturbationChoice;
  readonly runsPerClass: number;
  readonly nullRate: number;
  readonly q: number;
  readonly classes: readonly ClassResult[];
  readonly control: ControlResult;
  /** Every trial of every blame. */
  readonly forks: number;
  readonly wallMs: number;
  /** Every missed target, one line each. */
  readonly missed: readonly string[];
  readonly passed: boolean;
}

/** The blame design every run is blamed with: blame's defaults, spelled out. */
const DESIGN = { method: 'wilson', confidence: 0.95, nullRate: 0.3, q: 0.1 } as const;

const MAX_RECORDINGS = 5;

export async function validate(options: ValidationOptions = {}): Promise<ValidationResult> {
  const settings = checked(options);
  // Every class's plantings before anything is spent: positions no class can take are refused.
  const plan = settings.classes.map((faultClass) => {
    const plantings = plantingsOf(faultClass, settings.positions);
    if (plantings.length === 0)
      throw invalidOption(
        'positions',
        `No stage in positions ${JSON.stringify(settings.positions)} can hold a ${faultClass}; it can be planted at stages ${JSON.stringify(plantingsOf(faultClass, undefined).map((p) => p.fault.stage))}.`,
      );
    return { faultClass, plantings };
  });
  const started = performance.now();
  const temporary =
    options.path === undefined ? mkdtempSync(join(tmpdir(), 'trace-validate-')) : undefined;
  const { store, release } = openRunStore(
    { path: options.path ?? join(temporary!, 'validate.tape.db') },
    'write',
  );
  const total = settings.classes.length * settings.runs + settings.runs;
  let done = 0;
  const blameRun = async (planting: Planting, run: string): Promise<RunResult> => {
    const result = await blamePlanting(store, planting, run, settings);
    options.onRun?.(result, ++done, total);
    return result;
  };
  try {
    const classes: ClassResult[] = [];
    for (const { faultClass, plantings } of plan) {
      const runs: RunResult[] = [];
      // Fewer runs than plantings: spread them over the stages; more: go round them.
      const at = (i: number) =>
        settings.runs >= plantings.length
          ? i % plantings.length
          : Math.floor((i * plantings.length) / settings.runs);
      for (let i = 0; i < settings.runs; i++)
        runs.push(await blameRun(plantings[at(i)]!, `${settings.seed}/${faultClass}/${i}`));
      classes.push(summarizeClass(faultClass, runs));
    }
    const controlRuns: RunResult[] = [];
    for (let i = 0; i < settings.runs; i++)
      controlRuns.push(
        await blameRun(
          { scenario: scenarios[i % scenarios.length]!, fault: undefined },
          `${settings.seed}/control/${i}`,
        ),
      );
    const control = summarizeControl(controlRuns);
    const missed = [...classes.flatMap((c) => c.missed), ...control.missed];
    return {
      k: settings.k,
      perturb: settings.perturb,
      runsPerClass: settings.runs,
      nullRate: DESIGN.nullRate,
      q: DESIGN.q,
      classes,
      control,
      forks: [...classes.flatMap((c) => c.runs), ...controlRuns].reduce((n, r) => n + r.forks, 0),
      wallMs: performance.now() - started,
      missed,
      passed: missed.length === 0,
    };
  } finally {
    await release();
    if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
  }
}

interface Settings {
  readonly k: number;
  readonly runs: number;
  readonly positions: readonly number[] | undefined;
  readonly classes: readonly FaultClass[];
  readonly concurrency: number;
  readonly seed: string;
  readonly slip: number;
  readonly falseAlarm: number;
  readonly perturb: PerturbationChoice;
}

function checked(options: ValidationOptions): Settings {
  if (typeof options !== 'object' || options === null)
    throw invalidOption(
      'options',
      'validate takes an options object: { k, runs, positions, concurrency, seed }.',
    );
  const whole = (name: string, value: unknown, fallback: number): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      throw invalidOption(name, `${name} is ${String(value)}; give a whole number, 1 or more.`);
    return v;
  };
  const positions = options.positions;
  if (
    positions !== undefined &&
    (!Array.isArray(positions) ||
      positions.length === 0 ||
      positions.some((p) => !Number.isSafeInteger(p) || p < 0))
  )
    throw invalidOption(
      'positions',
      'positions is a non-empty list of stages, whole numbers from 0.',
    );
  const classes = options.classes ?? FAULT_CLASSES;
  if (!Array.isArray(classes) || classes.length === 0)
    throw invalidOption('classes', `classes is a non-empty list of ${FAULT_CLASSES.join(', ')}.`);
  for (const c of classes)
    if (!FAULT_CLASSES.includes(c))
      throw invalidOption(
        'classes',
        `${JSON.stringify(c)} is not a fault class; use ${FAULT_CLASSES.join(', ')}.`,
      );
  const chance = (name: string, value: unknown, fallback: number): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !(v >= 0 && v < 1))
      throw invalidOption(
        name,
        `${name} is ${String(value)}; give a chance from 0 up to (not including) 1.`,
      );
    return v;
  };
  const perturb = options.perturb ?? 'fixture';
  if (!PERTURBATION_CHOICES.includes(perturb))
    throw invalidOption(
      'perturb',
      `perturb is ${JSON.stringify(perturb)}; use ${PERTURBATION_CHOICES.join(', ')}.`,
    );
  const seed = options.seed ?? 'validate';
  if (typeof seed !== 'string' && typeof seed !== 'number')
    throw invalidOption('seed', 'seed is a string or a number.');
  return {
    k: whole('k', options.k, 20),
    runs: whole('runs', options.runs, 20),
    positions,
    classes,
    concurrency: whole('concurrency', options.concurrency, 4),
    seed: String(seed),
    slip: chance('slip', options.slip, 0.05),
    falseAlarm: chance('falseAlarm', options.falseAlarm, 0.01),
    perturb,
  };
}

/** Every (scenario, stage) a class can be planted at, within `positions`, by stage then scenario. */
function plantingsOf(
  faultClass: FaultClass,
  positions: readonly number[] | undefined,
): (Planting & { readonly fault: PlantedFault })[] {
  const all = scenarios.flatMap((scenario) =>
    plantableStages(scenario, faultClass)
      .filter((stage) => positions === undefined || positions.includes(stage))
      .map((stage) => ({ scenario, fault: { faultClass, stage } })),
  );
  return all.sort((a, b) => a.fault.stage - b.fault.stage);
}

/** Records the planting's run (until only the planted fault fails it), blames it, and scores it. */
async function blamePlanting(
  store: TapeStore,
  planting: Planting,
  run: string,
  settings: Settings,
): Promise<RunResult> {
  const fixture = await startFixture({
    ...planting,
    slip: settings.slip,
    falseAlarm: settings.falseAlarm,
  });
  try {
    // A planted fault fails the run, and nothing else does; a healthy run succeeds. The model's
    // noise can spoil a recording: a slip that overlooked the only evidence of the fault (the
    // run passes), or a false alarm that fails the run on its own (two causes, neither of which
    // flips the outcome alone: a different question from the one validated here). Such a
    // recording is made again under the next seed.
    const expected = planting.fault === undefined;
    let recordings = 0;
    let held: boolean;
    do {
      recordings++;
      const value = await fixture.record(store, run, `${run}#${recordings}`);
      held = fixture.oracle(value) === expected && !value.concerns.includes(UNSUPPORTED_CONCERN);
    } while (!held && recordings < MAX_RECORDINGS);
    if (!held) return unblamed(planting, run, recordings);
    const result = await blame(
      {
        store,
        run,
        oracle: fixture.oracle,
        ...perturbOption(settings.perturb, planting.scenario),
        trials: settings.k,
        tail: (trial) => fixture.tail(trial),
        concurrency: settings.concurrency,
        ...DESIGN,
        save: false,
      },
      fixture.agent,
    );
    return scoreRun(fixture, planting, run, recordings, result, await stepsOf(store, run));
  } finally {
    await fixture.close();
  }
}

/** The `perturb` option of blame for a choice (none: blame's defaults). */
function perturbOption(choice: PerturbationChoice, scenario: Scenario) {
  const perturb = perturbationOf(choice, scenario);
  return perturb === undefined ? {} : { perturb };
}

async function stepsOf(store: TapeStore, run: string) {
  return runSteps((await store.load(run)).events).steps;
}
