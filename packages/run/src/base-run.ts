/** What every mode of a run shares: closing once, refusing use after it, scoping the globals. */
import { type NondetSource, withGlobals } from '@trace/nondet';
import type { JsonValue, TraceError } from '@trace/spec';
import { withFetch } from '@trace/transport';
import { RunError } from './errors.js';
import type { RunMode } from './mode.js';
import { type Run, type RunOptions, SDK_LIBRARIES } from './options.js';
import type { RunDivergence, RunReport } from './report.js';

/** What `fetch` takes first. */
export type FetchInput = Parameters<typeof fetch>[0];

export abstract class BaseRun implements Run {
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
  /** Throws when the run did not do what its tape says; a mode adds its own checks of `_report`. */
  protected check(_report: RunReport): void {
    if (this.#divergence !== undefined) throw this.#divergence.error;
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
