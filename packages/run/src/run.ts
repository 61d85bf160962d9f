/**
 * A run: one agent run recorded into, or replayed from, one tape — its model calls through
 * `fetch`, its nondeterminism through `source`, its annotations — in the mode the code asks for
 * and the environment settles.
 */
import { createRequire } from 'node:module';
import { live, type NondetDivergenceError, type NondetSource, withGlobals } from '@trace/nondet';
import type { JsonValue, TapeMetadata, TraceError } from '@trace/spec';
import type { Tape, TapeRecorder, TapeStore } from '@trace/tape';
import {
  type MatchOptions,
  type RecordingFetch,
  type RedactOptions,
  type ReplayingFetch,
  recordFetch,
  replayFetch,
  type TransportError,
  withFetch,
} from '@trace/transport';
import { divergenceResponse } from './divergence.js';
import { drawLogOf, type ReplayedDraws, recordingDraws, replayedDraws } from './draws.js';
import { RunError } from './errors.js';
import { type RunMode, resolveMode } from './mode.js';
import type { RunDivergence, RunReport } from './report.js';
import { SerialSink } from './serial-sink.js';
import { openRunStore, type StoreChoice } from './store.js';

/** What `fetch` takes first. */
type FetchInput = Parameters<typeof fetch>[0];

const { version: PACKAGE_VERSION } = createRequire(import.meta.url)('../package.json') as {
  version: string;
};

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
  /** How replayed streams are paced (see @trace/transport). Default: at once. */
  readonly pace?: boolean | number;
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

/** Opens a run. See `Run` and the README for the modes. */
export async function openRun(options: RunOptions): Promise<Run> {
  if (typeof options !== 'object' || options === null) {
    throw new RunError('RUN_INVALID_OPTION', 'openRun takes an options object: { path, id }.', {
      details: { option: 'options' },
    });
  }
  const { mode, strict } = resolveMode(options.mode, options.env ?? process.env);
  // Passthrough records nothing: no store is opened, or created.
  if (mode === 'passthrough') return new PassthroughRun(options, async () => {});
  // A run that may only replay opens its file read-only; it reopens it to record only if it must.
  let opened = openRunStore(options, mode === 'replay' || mode === 'auto' ? 'read' : 'write');
  try {
    // Recording replaces whatever is there: only the other modes read the tape first.
    const existing =
      mode !== 'record' && (await opened.store.has(options.id))
        ? await opened.store.load(options.id)
        : undefined;
    if (mode === 'auto' && existing === undefined && opened.readonly) {
      await opened.release();
      opened = openRunStore(options, 'write');
    }
    return await start(options, mode, strict, existing, opened.store, opened.release);
  } catch (error) {
    await opened.release();
    throw error;
  }
}

async function start(
  options: RunOptions,
  requested: RunMode,
  strict: boolean,
  existing: Tape | undefined,
  store: TapeStore,
  release: () => Promise<void>,
): Promise<Run> {
  if (existing !== undefined && !existing.complete && requested !== 'record') {
    throw new RunError(
      'RUN_TAPE_INCOMPLETE',
      `Tape ${options.id} in ${store.location} was never finished (${existing.events.length} events): a recording of it crashed or is still running, so it is not replayed. Re-record it with TRACE_MODE=record (the old tape stays until the new recording finishes), or delete it.`,
      { details: { id: options.id, location: store.location, events: existing.events.length } },
    );
  }
  const mode = requested === 'auto' ? (existing === undefined ? 'record' : 'replay') : requested;
  if (mode === 'replay') {
    if (existing === undefined) {
      throw new RunError(
        'RUN_NO_TAPE',
        `Replay needs tape ${options.id} in ${store.location}, which holds none${strict ? ' (CI is set, so nothing is recorded and nothing reaches the network)' : ''}: record it first with TRACE_MODE=record, or check the id.`,
        { details: { id: options.id, location: store.location } },
      );
    }
    return new ReplayRun(options, existing, release);
  }
  const previous = mode === 'new-episodes' ? existing : undefined;
  const recorder = await store.record({
    id: options.id,
    replace: true,
    metadata: {
      recorder: { name: '@trace/run', version: PACKAGE_VERSION },
      boundary: { captured: ['http', 'clock', 'uuid', 'random', 'sources'] },
      ...options.metadata,
    },
  });
  return new RecordingRun(
    options,
    previous === undefined ? 'record' : 'new-episodes',
    recorder,
    previous,
    release,
  );
}

/** What every mode shares: closing once, refusing use after it, scoping the globals. */
abstract class BaseRun implements Run {
  readonly id: string;
  abstract readonly mode: Exclude<RunMode, 'auto'>;
  /** The mode's own source; the agent is given it through `source`, which refuses draws once closed. */
  protected abstract readonly draws: NondetSource;
  readonly fetch: typeof fetch;
  #source: NondetSource | undefined;
  readonly #libraries: readonly string[];
  readonly #release: () => Promise<void>;
  #closed: Promise<RunReport> | undefined;
  #divergence: { error: TraceError; kind: RunDivergence['kind'] } | undefined;

  protected constructor(options: RunOptions, release: () => Promise<void>) {
    this.id = options.id;
    this.#libraries = options.libraries ?? SDK_LIBRARIES;
    this.#release = release;
    this.fetch = ((input: FetchInput, init?: RequestInit) => {
      if (this.#closed !== undefined) return Promise.reject(this.#closedError('fetch'));
      return this.send(input, init);
    }) as typeof fetch;
  }

  get divergence(): TraceError | undefined {
    return this.#divergence?.error;
  }

  get source(): NondetSource {
    this.#source ??= refusingWhenClosed(this.draws, () => {
      if (this.#closed !== undefined) throw this.#closedError('drawing from source');
    });
    return this.#source;
  }

  annotate(data: JsonValue): void {
    if (this.#closed !== undefined) throw this.#closedError('annotate');
    this.record({ type: 'annotation', data });
  }

  scope<T>(fn: () => T): T {
    if (this.#closed !== undefined) throw this.#closedError('scope');
    const inScope = () => withFetch(this.fetch, fn);
    const result = withGlobals(this.source, inScope, { libraries: this.#libraries });
    if (!(result instanceof Promise)) return result;
    // Whatever the agent's code made of a divergence (an SDK error, a failed parse), the
    // divergence is what the caller is told.
    return result.catch((error: unknown) => {
      throw this.divergence ?? error;
    }) as T;
  }

  report(): RunReport {
    const divergence = this.#divergence;
    return {
      ...this.counts(),
      id: this.id,
      mode: this.mode,
      divergence:
        divergence === undefined
          ? undefined
          : {
              kind: divergence.kind,
              code: divergence.error.code,
              message: divergence.error.message,
              details: divergence.error.details,
            },
    };
  }

  close(): Promise<RunReport> {
    this.#closed ??= (async () => {
      try {
        await this.finish();
      } finally {
        await this.#release();
      }
      const report = this.report();
      this.check(report);
      return report;
    })();
    return this.#closed;
  }

  /** Notes the first divergence; what the agent is then given is up to the mode. */
  protected diverged(kind: RunDivergence['kind'], error: TraceError): void {
    this.#divergence ??= { error, kind };
  }

  protected abstract send(input: FetchInput, init?: RequestInit): Promise<Response>;
  protected abstract record(event: { type: 'annotation'; data: JsonValue }): void;
  protected abstract counts(): Omit<RunReport, 'id' | 'mode' | 'divergence'>;
  /** The mode's end: a recording finished, or nothing. */
  protected abstract finish(): Promise<void>;
  /** Throws when the run did not do what its tape says. */
  protected check(report: RunReport): void {
    if (this.#divergence !== undefined) throw this.#divergence.error;
    void report;
  }

  #closedError(what: string): RunError {
    return new RunError(
      'RUN_CLOSED',
      `Run ${this.id} is closed: ${what} is no longer served. Open a new run.`,
      {
        details: { id: this.id },
      },
    );
  }
}

/** Record (and new-episodes): everything new goes live and into the tape, in order. */
class RecordingRun extends BaseRun {
  readonly mode: 'record' | 'new-episodes';
  protected readonly draws: NondetSource;
  readonly #recorder: TapeRecorder;
  readonly #sink: SerialSink;
  readonly #recording: RecordingFetch;
  readonly #send: (input: FetchInput, init?: RequestInit) => Promise<Response>;
  readonly #previous:
    | { readonly tape: Tape; readonly replay: ReplayingFetch; readonly draws: ReplayedDraws }
    | undefined;
  #annotations = 0;
  #finished = false;

  constructor(
    options: RunOptions,
    mode: 'record' | 'new-episodes',
    recorder: TapeRecorder,
    previous: Tape | undefined,
    release: () => Promise<void>,
  ) {
    super(options, release);
    this.mode = mode;
    this.#recorder = recorder;
    const sink = new SerialSink(recorder);
    this.#sink = sink;
    this.#recording = recordFetch({
      ...options.redact,
      sink,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    if (previous === undefined) {
      this.#previous = undefined;
      this.draws = recordingDraws((draw) => sink.append({ type: 'draw', ...draw }));
      this.#send = this.#recording.fetch;
      return;
    }
    // New episodes: what matches is served from the old tape and kept; the rest goes live.
    const draws = replayedDraws(drawLogOf(previous.events), () => {}, true);
    const replay = replayFetch({
      ...options.redact,
      tape: previous,
      ...(options.match === undefined ? {} : { match: options.match }),
      ...(options.pace === undefined ? {} : { pace: options.pace }),
      onServe: (exchange) => sink.append(exchange),
      // A request the old tape does not hold goes live, as the caller sent it.
      onMiss: (snapshot, init) =>
        this.#recording.fetch(snapshot.url, {
          ...init,
          method: snapshot.method,
          headers: snapshot.headers.map(([name, value]) => [name, value]),
          body: snapshot.body,
          ...(snapshot.signal === undefined ? {} : { signal: snapshot.signal }),
        }),
    });
    this.#previous = { tape: previous, replay, draws };
    this.draws = recordingDraws((draw) => sink.append({ type: 'draw', ...draw }), draws.source);
    this.#send = replay.fetch;
  }

  protected send(input: FetchInput, init?: RequestInit): Promise<Response> {
    return this.#send(input, init);
  }

  protected record(event: { type: 'annotation'; data: JsonValue }): void {
    this.#sink.append(event);
    this.#annotations++;
  }

  protected counts() {
    const replayed = this.#previous?.replay.report();
    const counts = this.#recorder.counts;
    return {
      exchanges: { recorded: counts.exchange, matched: replayed?.matched ?? 0, unconsumed: [] },
      draws: {
        recorded: counts.draw,
        consumed: this.#previous?.draws.log.consumed ?? 0,
        unconsumed: 0,
      },
      annotations: this.#annotations,
      fingerprint: this.#recorder.fingerprint,
      complete: this.#finished,
    };
  }

  protected async finish(): Promise<void> {
    try {
      await this.#recording.close();
      await this.#sink.drained();
      await this.#recorder.finish();
      this.#finished = true;
    } catch (cause) {
      throw new RunError(
        'RUN_RECORD_FAILED',
        `Run ${this.id} could not be written to its tape, which stays incomplete (an older tape under the id is kept): ${(cause as Error).message}`,
        { cause, details: { id: this.id } },
      );
    }
  }
}

/** Replay: everything is served from the tape, and nothing reaches the network. */
class ReplayRun extends BaseRun {
  readonly mode = 'replay' as const;
  protected readonly draws: NondetSource;
  readonly #tape: Tape;
  readonly #replay: ReplayingFetch;
  readonly #draws: ReplayedDraws;
  #annotations = 0;

  constructor(options: RunOptions, tape: Tape, release: () => Promise<void>) {
    super(options, release);
    this.#tape = tape;
    this.#draws = replayedDraws(
      drawLogOf(tape.events),
      (error: NondetDivergenceError) => this.diverged('draw', error),
      false,
    );
    this.draws = this.#draws.source;
    this.#replay = replayFetch({
      ...options.redact,
      tape,
      ...(options.match === undefined ? {} : { match: options.match }),
      ...(options.pace === undefined ? {} : { pace: options.pace }),
      onDivergence: (error: TransportError) => {
        this.diverged('exchange', error);
        return divergenceResponse(error);
      },
    });
  }

  protected send(input: FetchInput, init?: RequestInit): Promise<Response> {
    return this.#replay.fetch(input, init);
  }

  /** A replay records nothing: an annotation is counted, as the run made it. */
  protected record(): void {
    this.#annotations++;
  }

  protected counts() {
    const replayed = this.#replay.report();
    const leftover = this.#draws.log.leftover();
    const counts = this.#tape.counts;
    return {
      exchanges: {
        recorded: replayed.recorded,
        matched: replayed.matched,
        unconsumed: replayed.unconsumed,
      },
      draws: {
        recorded: counts.draw,
        consumed: this.#draws.log.consumed,
        unconsumed: leftover.count,
      },
      annotations: this.#annotations,
      fingerprint: replayed.fingerprint,
      complete: this.#tape.complete,
    };
  }

  protected async finish(): Promise<void> {}

  protected override check(report: RunReport): void {
    super.check(report);
    const { exchanges, draws } = report;
    if (exchanges.unconsumed.length === 0 && draws.unconsumed === 0) return;
    throw new RunError(
      'RUN_UNCONSUMED',
      `Run ${this.id} ended with ${exchanges.unconsumed.length} recorded exchange(s) and ${draws.unconsumed} recorded draw(s) it never asked for${exchanges.unconsumed.length > 0 ? ` (the first exchange at tape seq ${exchanges.unconsumed[0]})` : ''}: the agent made fewer calls or draws than it recorded. Find what changed, or re-record with TRACE_MODE=record.`,
      {
        details: { id: this.id, exchanges: exchanges.unconsumed, draws: draws.unconsumed, report },
      },
    );
  }
}

/** Passthrough: live, nothing recorded. */
class PassthroughRun extends BaseRun {
  readonly mode = 'passthrough' as const;
  protected readonly draws: NondetSource = live();
  readonly #fetch: typeof fetch | undefined;
  #annotations = 0;

  constructor(options: RunOptions, release: () => Promise<void>) {
    super(options, release);
    this.#fetch = options.fetch;
  }

  protected send(input: FetchInput, init?: RequestInit): Promise<Response> {
    return (this.#fetch ?? globalThis.fetch)(input, init);
  }

  protected record(): void {
    this.#annotations++;
  }

  protected counts() {
    return {
      exchanges: { recorded: 0, matched: 0, unconsumed: [] },
      draws: { recorded: 0, consumed: 0, unconsumed: 0 },
      annotations: this.#annotations,
      fingerprint: undefined,
      complete: false,
    };
  }

  protected async finish(): Promise<void> {}
}

/**
 * `source`, refusing every draw once the run is closed: a late draw would otherwise append to a
 * finished tape, or be served from (and change the report of) a replay that is over.
 */
function refusingWhenClosed(source: NondetSource, check: () => void): NondetSource {
  return new Proxy(source, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        check();
        const result = value.apply(target, args);
        // A stream's view is a source too.
        return property === 'stream' ? refusingWhenClosed(result as NondetSource, check) : result;
      };
    },
  });
}
