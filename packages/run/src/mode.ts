/**
 * Which mode a run takes: the code asks, the environment decides. `TRACE_MODE` wins over the code,
 * so one suite records on a developer's machine and replays in CI; with `CI` set and no
 * `TRACE_MODE`, a run whose code leaves the mode to `auto` replays strictly: a missing tape fails
 * instead of reaching the network.
 */
import { MODE_VARIABLE, MODES, type Mode } from '@trace/transport';
import { RunError } from './errors.js';

/** The modes a run takes: the transport's names, with a run's meaning (below). */
export const RUN_MODES: readonly Mode[] = MODES;
/**
 * - `record`: everything goes live and is recorded; an existing tape is replaced when the new one
 *   is finished (atomically: the old one stays whole until then).
 * - `replay`: everything is served from the tape; nothing reaches the network.
 * - `auto` (default): replay a finished tape, record when there is none.
 * - `new-episodes`: replay what matches, go live for what does not, and replace the tape with
 *   what this run used, so the next `auto` run replays it.
 * - `passthrough`: live, nothing recorded.
 */
export type RunMode = Mode;

export { MODE_VARIABLE };

export interface ResolvedMode {
  /** What the run does, `auto` settled later against the store. */
  readonly mode: RunMode;
  /** Replay was asked for, or forced by `CI`: a missing tape is an error, never a recording. */
  readonly strict: boolean;
  /** Why the replay is strict, for messages: `CI` forced it, or the mode (or TRACE_MODE) asked for it. */
  readonly strictBecause?: 'CI' | 'mode';
}

export function resolveMode(
  requested: RunMode | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedMode {
  if (requested !== undefined && !RUN_MODES.includes(requested)) {
    throw invalidMode('mode', requested);
  }
  const fromEnv = env[MODE_VARIABLE];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!(RUN_MODES as readonly string[]).includes(fromEnv))
      throw invalidMode(MODE_VARIABLE, fromEnv);
    return strictIf(fromEnv as RunMode);
  }
  const mode = requested ?? 'auto';
  if (mode === 'auto' && isCi(env)) return { mode: 'replay', strict: true, strictBecause: 'CI' };
  return strictIf(mode);
}

function strictIf(mode: RunMode): ResolvedMode {
  return mode === 'replay'
    ? { mode, strict: true, strictBecause: 'mode' }
    : { mode, strict: false };
}

/** `CI` set to anything but an empty string, `0` or `false`, as CI services set it. */
function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

function invalidMode(where: string, value: unknown): RunError {
  return new RunError(
    'RUN_INVALID_OPTION',
    `${where} is ${JSON.stringify(value)}; use one of ${RUN_MODES.join(', ')}.`,
    { details: { option: where, value: String(value) } },
  );
}
