/** What a run is opened with, and what it gives: the shape every mode implements. */
import type { NondetSource } from '@trace/nondet';
import type { JsonValue, TapeMetadata, TraceError } from '@trace/spec';
import type { MatchOptions, RedactOptions } from '@trace/transport';
import type { RunMode } from './mode.js';
import type { RunReport } from './report.js';
import type { StoreChoice } from './store.js';

/**
 * The packages whose own reads of the clock and randomness are not the agent's: the official
 * SDKs read them on every request (log ids, timings, retry jitter, idempotency keys).
 */
export const SDK_LIBRARIES: readonly string[] = ['@anthropic-ai/sdk', 'openai'];

export interface RunOptions extends StoreChoice {
  /** The run id: the tape's id in the store. */
  readonly id: string;
  /** Default `auto`. `TRACE_MODE` in the environment wins; with `CI` set, `auto` replays strictly. */
  readonly mode?: RunMode;
  /** How live requests are matched with recorded ones (see @trace/transport). */
  readonly match?: MatchOptions;
  /** What is removed before anything reaches the tape (see @trace/transport); credentials always. */
  readonly redact?: RedactOptions;
  /** Kept with a tape this run records; outside its fingerprint. */
  readonly metadata?: Partial<TapeMetadata>;
  /** The fetch that reaches the network when recording. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /**
   * How recorded time is played back (see @trace/transport): `false` (default) at once, with a
   * recorded `retry-after` served as 0; `true` as recorded; a number scales it.
   */
  readonly pace?: boolean | number;
  /**
   * Serve a recording again when the agent makes a request more often than it was recorded
   * (VCR's `allow_playback_repeats`). Default false: the extra request diverges.
   */
  readonly allowPlaybackRepeats?: boolean;
  /** Where `TRACE_MODE` and `CI` are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Packages whose own reads of the globals, inside `scope`, are left to the platform and never
   * drawn. Default `SDK_LIBRARIES`; Node's internals (its fetch) are always left out.
   */
  readonly libraries?: readonly string[];
}

export interface Run {
  readonly id: string;
  /** The mode in force: `TRACE_MODE`, `CI` and `auto` settled. */
  readonly mode: Exclude<RunMode, 'auto'>;
  /** Hand it to any SDK client (`new Anthropic({ fetch: run.fetch })`). */
  readonly fetch: typeof fetch;
  /** The agent's nondeterminism: clock, ids, randomness, named sources. */
  readonly source: NondetSource;
  /** Attaches free JSON to the run's tape, in order with its exchanges and draws. */
  annotate(data: JsonValue): void;
  /**
   * Runs `fn` with the global clock, ids, randomness and `fetch` served by the run, for code that
   * reads globals instead of `source` and `fetch`. When `fn` fails after the run left its tape,
   * the divergence is what it rejects with.
   */
  scope<T>(fn: () => T): T;
  /** The first place the run left its tape (`TRANSPORT_DIVERGED`, `NONDET_DIVERGED`), if it did. */
  readonly divergence: TraceError | undefined;
  /** What the run has done so far. */
  report(): RunReport;
  /**
   * Ends the run: a recording is finished (replacing an older tape under the id, atomically); a
   * replay checks that everything recorded was used. Resolves with the report; rejects with the
   * divergence, or RUN_UNCONSUMED, when the run did not do what its tape says.
   */
  close(): Promise<RunReport>;
}
