/**
 * What a trial changes at its step. A perturbation turns a step into a @trace/fork intervention,
 * or declines the step (undefined), which blame then leaves out.
 */
import type { Intervention } from '@trace/fork';
import type { JsonValue } from '@trace/spec';
import type { StepInfo } from './steps.js';

export interface Perturbation {
  /** 'resample' | 'neutral-tool-result' | 'drop-message' | 'redraw' | the user's. */
  readonly name: string;
  /** The intervention of trial `trial` (0-based) at `step`, or undefined to skip the step. */
  intervene(step: StepInfo, trial: number): Intervention | undefined;
}

/** The same request (or draw) answered afresh by the tail. */
const resample: Perturbation = {
  name: 'resample',
  intervene: () => ({ kind: 'resample' }),
};

/** A draw resampled from the tail's source; exchanges are skipped. */
const redraw: Perturbation = {
  name: 'redraw',
  intervene: (step) => (step.kind === 'draw' ? { kind: 'resample' } : undefined),
};

/** An exchange's answer replaced by an empty assistant message; draws are skipped. */
const dropMessage: Perturbation = {
  name: 'drop-message',
  intervene: (step) => (step.kind === 'exchange' ? { kind: 'message', text: '' } : undefined),
};

/**
 * A named source's draw (a tool result, a retrieval) replaced by `value`, or by default by a
 * neutral value of the recorded one's shape: '' for a string, 0 for a number, false, [] for an
 * array, and an object with the same keys, each neutral. Other steps are skipped.
 */
function neutralToolResult(value?: JsonValue): Perturbation {
  return {
    name: 'neutral-tool-result',
    intervene: (step) =>
      step.kind === 'draw' && step.source !== undefined
        ? { kind: 'draw', value: value ?? neutralOf(step.value ?? null) }
        : undefined,
  };
}

/** A neutral value of `value`'s shape. */
export function neutralOf(value: JsonValue): JsonValue {
  if (typeof value === 'string') return '';
  if (typeof value === 'number') return 0;
  if (typeof value === 'boolean') return false;
  if (value === null) return null;
  if (Array.isArray(value)) return [];
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, neutralOf(v)]));
}

export const perturbations: {
  readonly resample: Perturbation;
  neutralToolResult(value?: JsonValue): Perturbation;
  readonly dropMessage: Perturbation;
  readonly redraw: Perturbation;
} = { resample, neutralToolResult, dropMessage, redraw };

/** The default: resample an exchange, redraw a draw. */
export function defaultPerturbation(step: StepInfo): Perturbation {
  return step.kind === 'exchange' ? resample : redraw;
}
