/**
 * The five fault classes, and where each one lives when it is planted at a stage.
 *
 * Why the planted step, and only it, is the cause under forking. A fork at step i replays the
 * steps before i from the recording, changes step i, and runs everything after i again: the
 * agent's code, its tools and the model are asked afresh. So a fault is planted where running
 * the tail again reproduces it — in the tool environment, in the agent's prompt building, in the
 * model — never as a one-off in the recording. Then:
 *
 * - a perturbation before the planted step re-runs the planted step in its tail, which does the
 *   same harm again: the outcome stays a failure;
 * - a perturbation after it leaves the harm in the replayed prefix, where every later turn of
 *   the model still sees it (each turn re-reads every tool result) or the agent already acted
 *   on it (a concern raised, someone else's record read): the outcome stays a failure;
 * - the perturbation at the planted step replaces what the fault produced there — the tool's
 *   answer by an empty one, the model's turn by the plan's bare action — and nothing after it
 *   brings the harm back, because the fault only ever acts at that one step: the outcome flips.
 *
 * | class                  | lives in                                     | planted step        | harm                                    |
 * | ---------------------- | -------------------------------------------- | ------------------- | --------------------------------------- |
 * | corrupted-tool-output  | the tool: its record for the subject garbled | the tool's draw     | the model reads an unreadable record    |
 * | misleading-retrieval   | the index: a wrong passage ranked first      | the tool's draw     | the model reads "must be declined"      |
 * | wrong-system-prompt    | the agent: another agent's prompt at stage n | the model call n    | the model applies a rule that is wrong  |
 * | dropped-message        | the agent: its context trimmer at stage n    | the model call n    | the model cannot see the request        |
 * | poisoned-tool-argument | the model: it garbles the id at stage n      | the model call n    | the agent reads someone else's record   |
 *
 * The tool-side classes are caused by the draw, not by the model call that asked for it: that
 * call, replaced by the plan's bare call, asks for the same thing and gets the same bad answer.
 * The poisoned argument is caused by the model call, not by the tool's draw after it: emptying
 * the tool's answer does not undo that the agent asked for someone else's record.
 */
import type { JsonObject, JsonValue } from '@trace/spec';
import type { ModelFaults } from './fixture-model.js';
import type { Scenario } from './scenarios.js';

/** The fault classes, in the order the validation reports them. */
export const FAULT_CLASSES = [
  'corrupted-tool-output',
  'misleading-retrieval',
  'wrong-system-prompt',
  'dropped-message',
  'poisoned-tool-argument',
] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

/** A fault of a class, planted at a stage of the review (counted from 0). */
export interface PlantedFault {
  readonly faultClass: FaultClass;
  readonly stage: number;
}

/** Faults that live in the agent's own code. */
export interface AgentFaults {
  /** At this stage the prompt builder hands the model another agent's system prompt. */
  readonly wrongPromptAt?: number;
  /** At this stage the context trimmer drops the oldest message: the request itself. */
  readonly dropAt?: number;
}

/** The tools as the agent's environment answers them: `(tool, input) => JSON`. */
export type ToolEnvironment = (tool: string, input: JsonValue) => JsonObject;

/** Where a planted fault lives: the agent, the model, the tools. */
export interface FaultSites {
  readonly agent: AgentFaults;
  readonly model: ModelFaults;
  readonly tools: ToolEnvironment;
}

/** Whether the fault is caused by a model call (an exchange) or by a tool's answer (a draw). */
export function plantedKind(faultClass: FaultClass): 'exchange' | 'draw' {
  return faultClass === 'corrupted-tool-output' || faultClass === 'misleading-retrieval'
    ? 'draw'
    : 'exchange';
}

/** The stages of `scenario` where `faultClass` can be planted. */
export function plantableStages(scenario: Scenario, faultClass: FaultClass): number[] {
  const all = scenario.stages.map((_, index) => index);
  switch (faultClass) {
    case 'corrupted-tool-output':
      return all.filter((i) => scenario.stages[i]!.kind === 'record');
    case 'misleading-retrieval':
      return all.filter((i) => scenario.stages[i]!.kind === 'retrieval');
    case 'dropped-message':
      // At stage 0 the request is the only message; a conversation cannot start without it.
      return all.filter((i) => i > 0);
    default:
      return all;
  }
}

/** Where `fault` lives in `scenario` (no fault: a healthy agent, model and environment). */
export function sitesOf(scenario: Scenario, fault: PlantedFault | undefined): FaultSites {
  const tool = fault === undefined ? undefined : scenario.stages[fault.stage]?.tool;
  const tools: ToolEnvironment = (name, input) => {
    const id = String((input as { id?: unknown } | null)?.id ?? '');
    const answer = scenario.answer(name, id);
    if (fault === undefined || name !== tool || id !== scenario.subject) return answer;
    if (fault.faultClass === 'corrupted-tool-output') return garbled(answer);
    if (fault.faultClass === 'misleading-retrieval') {
      const wrong = scenario.misleading[name];
      const results = (answer.results as JsonValue[] | undefined) ?? [];
      return wrong === undefined ? answer : { ...answer, results: [wrong, ...results] };
    }
    return answer;
  };
  const stage = fault?.stage;
  return {
    tools,
    agent:
      fault?.faultClass === 'wrong-system-prompt'
        ? { wrongPromptAt: stage! }
        : fault?.faultClass === 'dropped-message'
          ? { dropAt: stage! }
          : {},
    model: fault?.faultClass === 'poisoned-tool-argument' ? { poisonAt: stage! } : {},
  };
}

/**
 * A record as a broken backend serves it: every other character of its text fields replaced by
 * U+FFFD and its amounts negative, while its type and id survive (the row is found, not readable).
 */
function garbled(answer: JsonObject): JsonObject {
  const results = (answer.results as JsonValue[] | undefined) ?? [];
  return {
    ...answer,
    results: results.map((item) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
      const out: { [key: string]: JsonValue } = {};
      for (const [key, value] of Object.entries(item)) {
        if (key === 'type' || key === 'id') out[key] = value;
        else if (typeof value === 'string')
          out[key] = [...value].map((c, i) => (i % 2 === 1 ? '\uFFFD' : c)).join('');
        else if (typeof value === 'number') out[key] = -Math.abs(value) - 1;
        else out[key] = value;
      }
      return out;
    }),
  };
}
