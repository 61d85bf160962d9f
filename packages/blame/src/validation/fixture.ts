/**
 * One fixture environment: a scenario with a planted fault (or none), the fixture model served
 * by the scripted LLM server on 127.0.0.1, the agent, its oracle, the perturbation of each step
 * and the tail of each trial. Everything a blame of one recorded run needs, offline and at $0.
 */
import type { ForkPoint, TailOptions } from '@trace/fork';
import { startLlmServer } from '@trace/llm-server';
import { runAgent } from '@trace/run';
import type { TapeStore } from '@trace/tape';
import { jsonPathEquals, type Oracle } from '../oracle.js';
import { type Perturbation, perturbations } from '../perturbations.js';
import type { StepInfo } from '../steps.js';
import { type PlantedFault, plantedKind, sitesOf } from './faults.js';
import { fixtureAgent, loadAnthropic, type ReviewOutcome } from './fixture-agent.js';
import { modelTurn, SEED_HEADER } from './fixture-model.js';
import type { Scenario } from './scenarios.js';

export interface FixtureOptions {
  readonly scenario: Scenario;
  readonly fault?: PlantedFault | undefined;
  /** The model's chance to overlook a piece of evidence in a turn. Default 0.05. */
  readonly slip?: number;
  /** The model's chance to raise a concern nothing supports in a turn. Default 0.01. */
  readonly falseAlarm?: number;
}

export interface Fixture {
  readonly scenario: Scenario;
  readonly fault: PlantedFault | undefined;
  readonly agent: ReturnType<typeof fixtureAgent>;
  /** Success: the request approved, and no one else's record read. */
  readonly oracle: Oracle<unknown>;
  /** The perturbation of each step (see `fixturePerturbation`). */
  readonly perturb: (step: StepInfo) => Perturbation | undefined;
  /** A trial's tail: the fixture model, asked under the trial's seed; seeded draws. */
  tail(trial: { readonly seed: string }): TailOptions;
  /** Records a run of the agent under `seed` into `store` as `id`; resolves with its value. */
  record(store: TapeStore, id: string, seed: string): Promise<ReviewOutcome>;
  /** The planted step among a run's steps: the model call or the tool draw the fault acts at. */
  plantedStep(steps: readonly StepInfo[]): ForkPoint | undefined;
  /** Requests the fixture model answered so far. */
  requests(): number;
  close(): Promise<void>;
}

/** Starts the fixture model and builds the agent around the planted fault. */
export async function startFixture(options: FixtureOptions): Promise<Fixture> {
  const { scenario, fault } = options;
  const noise = { slip: options.slip ?? 0.05, falseAlarm: options.falseAlarm ?? 0.01 };
  const sites = sitesOf(scenario, fault);
  const server = await startLlmServer({
    respond: (request) =>
      modelTurn(request.json, request.headers[SEED_HEADER] ?? '', {
        faults: sites.model,
        ...noise,
      }),
  });
  const agent = fixtureAgent({
    Anthropic: await loadAnthropic(),
    scenario,
    baseURL: server.anthropicBaseURL,
    faults: sites.agent,
    tools: sites.tools,
  });
  return {
    scenario,
    fault,
    agent,
    oracle: reviewOracle(scenario),
    perturb: fixturePerturbation(scenario),
    tail: (trial) => ({ fetch: seededFetch(trial.seed), draws: { seed: trial.seed } }),
    async record(store, id, seed) {
      const { value } = await runAgent(
        // env: {} so that a TRACE_MODE in the environment cannot turn the recording into a replay.
        { store, id, mode: 'record', env: {}, fetch: seededFetch(seed) },
        agent,
      );
      return value;
    },
    plantedStep(steps) {
      if (fault === undefined) return undefined;
      if (plantedKind(fault.faultClass) === 'exchange') return { exchange: fault.stage };
      const kind = `source:tool:${scenario.stages[fault.stage]!.tool}`;
      return steps.find((s) => s.kind === 'draw' && s.drawKind === kind)?.step;
    },
    requests: () => server.requests.length,
    close: () => server.close(),
  };
}

/** The outcome: approved, and every tool call asked about the request's own subject. */
export function reviewOracle(scenario: Scenario): Oracle<unknown> {
  const approved = jsonPathEquals('$.decision', 'approve');
  const ownOnly = jsonPathEquals('$.touched', [scenario.subject]);
  return Object.assign((value: unknown) => approved(value) && ownOnly(value), {
    description: `${approved.description} and ${ownOnly.description}`,
  });
}

/**
 * The perturbation of each step of a fixture run:
 *
 * - a tool's draw: its answer replaced by an empty one (`{ results: [] }`): "what if this tool
 *   had told the agent nothing?";
 * - a model call that calls a tool: replaced by the plan's bare action — the stage's tool, asked
 *   about the request's subject, with no text: "what if the model had done just what the plan
 *   says here, and judged nothing?";
 * - the final model call: resampled (its text is the only thing it adds, and a neutral final
 *   answer would be no answer);
 * - the clock, the case id and the tone: redrawn.
 *
 * None of them knows where a fault is; at a healthy step each leaves the outcome as it was.
 */
export function fixturePerturbation(scenario: Scenario): (step: StepInfo) => Perturbation {
  const planned: Perturbation = {
    name: 'planned-action',
    intervene: (step) => {
      const stage = 'exchange' in step.step ? scenario.stages[step.step.exchange] : undefined;
      return stage === undefined
        ? undefined
        : { kind: 'message', toolCalls: [{ name: stage.tool, input: { id: scenario.subject } }] };
    },
  };
  const emptyAnswer = perturbations.neutralToolResult({ results: [] });
  return (step) => {
    if ('exchange' in step.step)
      return step.step.exchange < scenario.stages.length ? planned : perturbations.resample;
    return step.source?.startsWith('tool:') === true ? emptyAnswer : perturbations.redraw;
  };
}

/**
 * Which perturbations a validation blames with: the fixture's own (above), blame's defaults
 * (resample every model call, redraw every draw), or the built-in drop-message at every model
 * call with empty tool answers. The last two are there to show what they cannot find.
 */
export type PerturbationChoice = 'fixture' | 'resample' | 'drop-message';
export const PERTURBATION_CHOICES: readonly PerturbationChoice[] = [
  'fixture',
  'resample',
  'drop-message',
];

export function perturbationOf(
  choice: PerturbationChoice,
  scenario: Scenario,
): ((step: StepInfo) => Perturbation) | undefined {
  if (choice === 'fixture') return fixturePerturbation(scenario);
  if (choice === 'resample') return undefined; // blame's default
  const emptyAnswer = perturbations.neutralToolResult({ results: [] });
  return (step) =>
    step.kind === 'exchange'
      ? perturbations.dropMessage
      : step.source?.startsWith('tool:') === true
        ? emptyAnswer
        : perturbations.redraw;
}

/** A fetch that carries `seed` to the fixture model in a header the agent never sees. */
export function seededFetch(seed: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : {}));
    headers.set(SEED_HEADER, seed);
    return globalThis.fetch(input, { ...init, headers });
  };
}
