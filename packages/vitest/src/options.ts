/**
 * How a test's tape is kept and replayed. Given once to `traceFixtures(options)`, and per file or
 * per suite with `test.scoped({ trace: { … } })`, which is laid over those defaults.
 */
import { RUN_MODES, type RunMode, type RunOptions } from '@trace/run';
import { DEFAULT_FOLDER } from './contract.js';
import { TraceVitestError } from './errors.js';

export interface TraceTestOptions {
  /**
   * The folder of the test file's store, relative to the test file's own folder (or absolute).
   * Default `__tapes__`: the tapes of `src/agent.test.ts` live in `src/__tapes__/agent.test.ts.tapes.db`.
   */
  readonly folder?: string;
  /**
   * Default `auto`: replay a test's tape, record it when there is none. `vitest -u` re-records;
   * with `CI` set, `auto` replays strictly; `TRACE_MODE` wins over everything.
   */
  readonly mode?: RunMode;
  /** How live requests are matched with recorded ones (see @trace/run and @trace/transport). */
  readonly match?: NonNullable<RunOptions['match']>;
  /** What is removed before anything reaches the tape; credentials always (see @trace/run). */
  readonly redact?: NonNullable<RunOptions['redact']>;
  /** Replay streams at their recorded pace (`true`, or a factor). Default: at once. */
  readonly pace?: NonNullable<RunOptions['pace']>;
  /** Packages whose own reads of the globals are not the test's (see @trace/run). */
  readonly libraries?: NonNullable<RunOptions['libraries']>;
  /** The fetch that reaches the network when recording. Default `globalThis.fetch`. */
  readonly fetch?: NonNullable<RunOptions['fetch']>;
}

/** The options in force for one test: defaults, then the file's or suite's. */
export interface SettledOptions extends Omit<TraceTestOptions, 'folder' | 'mode'> {
  readonly folder: string;
  readonly mode: RunMode;
}

const KNOWN = new Set(['folder', 'mode', 'match', 'redact', 'pace', 'libraries', 'fetch']);

/** Checks options where they are given, so a typo fails at `traceFixtures`, not in every test. */
export function checkOptions(options: unknown, where: string): TraceTestOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`${where} takes an options object ({ folder, mode, match, redact, … }).`, where);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw invalid(
        `${where} has an unknown option ${JSON.stringify(key)}; use ${[...KNOWN].join(', ')}.`,
        `${where}.${key}`,
      );
    }
  }
  const { folder, mode } = options as TraceTestOptions;
  if (folder !== undefined && (typeof folder !== 'string' || folder.trim() === '')) {
    throw invalid(`${where}.folder must be a non-empty path.`, `${where}.folder`);
  }
  if (mode !== undefined && !RUN_MODES.includes(mode)) {
    throw invalid(
      `${where}.mode is ${JSON.stringify(mode)}; use one of ${RUN_MODES.join(', ')}.`,
      `${where}.mode`,
    );
  }
  return options as TraceTestOptions;
}

export function settleOptions(defaults: TraceTestOptions, scoped: unknown): SettledOptions {
  const own = checkOptions(scoped ?? {}, 'test.scoped({ trace })');
  const merged = { ...defaults, ...own };
  return { ...merged, folder: merged.folder ?? DEFAULT_FOLDER, mode: merged.mode ?? 'auto' };
}

function invalid(message: string, option: string): TraceVitestError {
  return new TraceVitestError('VITEST_INVALID_OPTION', message, { details: { option } });
}
