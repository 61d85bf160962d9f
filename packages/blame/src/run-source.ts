/**
 * The run a blame starts from: its store opened once for every trial, its tape loaded and proven,
 * and its outcome — the oracle on the value its offline replay returns.
 */
import { type Agent, openRunStore, RunError, runAgent } from '@trace/run';
import { findTraceError } from '@trace/spec';
import { type Tape, TapeError, type TapeStore } from '@trace/tape';
import { BlameError, invalidOption } from './errors.js';
import { type Oracle, oracleDescription } from './oracle.js';

/** Opens the store of `{ store }` or `{ path }` as a fork does, a bad choice as BLAME_INVALID_OPTION. */
export function openBlameStore(choice: { store?: TapeStore; path?: string }): {
  store: TapeStore;
  release: () => Promise<void>;
} {
  try {
    const { store, release } = openRunStore({ store: choice.store, path: choice.path }, 'write');
    return { store, release };
  } catch (cause) {
    if (RunError.isInstance(cause) && cause.code === 'RUN_INVALID_OPTION')
      throw new BlameError('BLAME_INVALID_OPTION', cause.message, {
        cause,
        details: { option: 'store' },
      });
    throw cause;
  }
}

/** The run's tape, its fingerprint proven; a missing, unfinished or damaged one is refused. */
export async function loadRun(store: TapeStore, id: string): Promise<Tape> {
  if (!(await store.has(id)))
    throw new BlameError(
      'BLAME_NO_RUN',
      `The store ${store.location} holds no run ${id} to blame: record it first, or check the id.`,
      { details: { run: id, location: store.location } },
    );
  let tape: Tape;
  try {
    tape = await store.load(id);
  } catch (cause) {
    if (TapeError.isInstance(cause) && cause.code === 'TAPE_DAMAGED')
      throw new BlameError(
        'BLAME_RUN_UNUSABLE',
        `The run ${id} is damaged, so it is not blamed: ${cause.message}`,
        { cause, details: { run: id, reason: 'damaged' } },
      );
    throw cause;
  }
  if (!tape.complete)
    throw new BlameError(
      'BLAME_RUN_UNUSABLE',
      `The run ${id} was never finished (its recording crashed or is still running), so it is not blamed: record it again.`,
      { details: { run: id, reason: 'incomplete' } },
    );
  return tape;
}

/**
 * The oracle on the run's own value: the agent replayed offline (nothing reaches the network),
 * every request proven by hash. A replay that leaves the tape means the agent is not the one
 * that recorded the run.
 */
export async function parentOutcome<T>(
  store: TapeStore,
  run: string,
  agent: Agent<T>,
  oracle: Oracle<T>,
  judgeErrors: boolean,
): Promise<boolean> {
  let value: T;
  try {
    // env: {} so that a TRACE_MODE in the environment cannot turn this replay into a recording.
    ({ value } = await runAgent({ store, id: run, mode: 'replay', env: {} }, agent));
  } catch (error) {
    const trace = findTraceError(error);
    if (trace !== undefined)
      throw new BlameError(
        'BLAME_REPLAY_FAILED',
        `Replaying the run ${run} offline with this agent failed (${trace.code}): blame forks the run with the agent that recorded it. ${trace.message}`,
        { cause: error, details: { run, code: trace.code } },
      );
    if (judgeErrors) return false;
    throw new BlameError(
      'BLAME_PARENT_ERRORED',
      `The agent threw on the recorded run ${run} (${(error as Error)?.message ?? String(error)}), so there is no outcome to flip: pass judgeErrors: true to count a thrown run as outcome false.`,
      { cause: error, details: { run } },
    );
  }
  try {
    return outcomeOf(oracle, value);
  } catch (cause) {
    throw new BlameError(
      'BLAME_ORACLE_FAILED',
      `The oracle (${oracleDescription(oracle as Oracle<never>)}) threw on the recorded run's value: ${(cause as Error)?.message ?? String(cause)}. Make it return true or false for every value the agent returns.`,
      { cause, details: { run } },
    );
  }
}

/** The oracle's verdict, which must be a boolean. */
export function outcomeOf<T>(oracle: Oracle<T>, value: T): boolean {
  const outcome = oracle(value);
  if (typeof outcome !== 'boolean')
    throw invalidOption(
      'oracle',
      `The oracle returned ${String(outcome)}; it must return true or false.`,
    );
  return outcome;
}
