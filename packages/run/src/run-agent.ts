/**
 * The shape fork, blame, the test integration and the CLI re-run many times: an agent is a
 * function of its context. Record, replay and (later) a fork are the same call with another
 * context behind it.
 */
import type { NondetSource } from '@trace/nondet';
import type { JsonValue } from '@trace/spec';
import type { RunMode } from './mode.js';
import type { RunOptions } from './options.js';
import type { RunReport } from './report.js';
import { openRun } from './run.js';

/** What an agent is given: the run's `fetch` for its model clients, its `source`, `annotate`. */
export interface AgentContext {
  readonly id: string;
  readonly mode: Exclude<RunMode, 'auto'>;
  readonly fetch: typeof fetch;
  readonly source: NondetSource;
  annotate(data: JsonValue): void;
}

/** An agent as a function of its context. */
export type Agent<T> = (context: AgentContext) => T | Promise<T>;

export interface AgentRunOptions extends RunOptions {
  /**
   * Serve the global clock, ids, randomness and `fetch` from the run while the agent runs (see
   * `Run.scope`), for agents that read them directly. Default true.
   */
  readonly globals?: boolean;
}

export interface AgentRun<T> {
  /** What the agent returned. */
  readonly value: T;
  readonly report: RunReport;
}

/**
 * Opens the run, calls the agent with its context, and closes the run. Resolves with what the
 * agent returned and the run's report. Rejects with what the agent threw — or, when the run left
 * its tape, with the divergence itself rather than whatever the agent's SDK made of it — and,
 * when the agent returned but the run did not do what its tape says, with the error `close()`
 * gives. A recording is finished either way: a run that failed is a run worth replaying.
 */
export async function runAgent<T>(options: AgentRunOptions, agent: Agent<T>): Promise<AgentRun<T>> {
  const run = await openRun(options);
  const context: AgentContext = {
    id: run.id,
    mode: run.mode,
    fetch: run.fetch,
    source: run.source,
    annotate: (data) => run.annotate(data),
  };
  let value: T;
  try {
    value =
      options.globals === false
        ? await agent(context)
        : await run.scope(async () => agent(context));
  } catch (error) {
    // The tape is closed as far as it goes; the agent's failure (or the divergence) is the news.
    await run.close().catch(() => undefined);
    throw run.divergence ?? error;
  }
  const report = await run.close();
  return { value, report };
}
