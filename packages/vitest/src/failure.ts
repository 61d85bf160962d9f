/**
 * What a test fails with when its run did not do what its tape says. The first line is what a
 * developer reads in vitest's summary, so it says which tape, where the replay left it and — for a
 * request — the first JSON path that differs, with the recorded and the live value around the
 * difference. The run's own message follows, whole, then what to do.
 */
import { findTraceError, type TraceError } from '@trace/spec';
import { TraceVitestError } from './errors.js';

export interface TapeOfTest {
  readonly id: string;
  /** The store, as shown to the developer (relative to the working directory). */
  readonly store: string;
}

const RERECORD = 're-record it with `vitest -u` (or TRACE_MODE=record)';

/** The error a test fails with when `run.close()` rejected; other errors are returned as they are. */
export function closeFailure(error: unknown, tape: TapeOfTest): unknown {
  const diverged =
    findTraceError(error, 'TRANSPORT_DIVERGED') ?? findTraceError(error, 'NONDET_DIVERGED');
  if (diverged !== undefined) {
    return new TraceVitestError(
      'VITEST_DIVERGED',
      `${divergenceLine(diverged, tape)}\n${diverged.message}\nTape ${tape.id} in ${tape.store}: if the change is intended, ${RERECORD}.`,
      { cause: diverged, details: { tape: tape.id, store: tape.store } },
    );
  }
  const unconsumed = findTraceError(error, 'RUN_UNCONSUMED');
  if (unconsumed !== undefined) {
    const { exchanges, draws } = unconsumed.details as { exchanges?: unknown; draws?: unknown };
    const exchangeCount = Array.isArray(exchanges) ? exchanges.length : 0;
    const drawCount = typeof draws === 'number' ? draws : 0;
    return new TraceVitestError(
      'VITEST_UNCONSUMED',
      `Tape ${tape.id}: this test never used ${exchangeCount} recorded exchange(s) and ${drawCount} recorded draw(s) — it did less than it recorded.\n${unconsumed.message}\nTape ${tape.id} in ${tape.store}: if the change is intended, ${RERECORD}.`,
      { cause: unconsumed, details: { tape: tape.id, store: tape.store } },
    );
  }
  return error;
}

/** The error a test fails with when its run could not be opened; others are returned as they are. */
export function openFailure(error: unknown, tape: TapeOfTest): unknown {
  const missing = findTraceError(error, 'RUN_NO_TAPE');
  if (missing !== undefined) {
    return new TraceVitestError(
      'VITEST_NO_TAPE',
      `No tape ${tape.id} for this test in ${tape.store}, and replay is strict here (CI is set, or mode is replay): nothing is recorded and nothing reaches the network. Run the test once where CI is not set (or with \`vitest -u\`) to record it, and commit ${tape.store}.`,
      { cause: missing, details: { tape: tape.id, store: tape.store } },
    );
  }
  const incomplete = findTraceError(error, 'RUN_TAPE_INCOMPLETE');
  if (incomplete !== undefined) {
    return new TraceVitestError(
      'VITEST_TAPE_INCOMPLETE',
      `Tape ${tape.id} in ${tape.store} was never finished (a recording of it crashed or is still running), so it is not replayed: ${RERECORD}.`,
      { cause: incomplete, details: { tape: tape.id, store: tape.store } },
    );
  }
  return error;
}

/** One line: which tape, where the replay left it, and the first difference. */
function divergenceLine(error: TraceError, tape: TapeOfTest): string {
  const details = error.details as {
    position?: unknown;
    request?: { method?: unknown; url?: unknown };
    differences?: readonly { path?: unknown; recorded?: unknown; live?: unknown }[];
    index?: unknown;
  };
  if (error.code === 'TRANSPORT_DIVERGED') {
    const where = `request ${String(details.position)} (${String(details.request?.method)} ${String(details.request?.url)})`;
    const first = details.differences?.[0];
    if (first === undefined)
      return `Replay of tape ${tape.id} diverged at ${where}: ${firstLine(error.message)}`;
    const [recorded, live] = around(text(first.recorded), text(first.live));
    const more = (details.differences?.length ?? 1) - 1;
    return `Replay of tape ${tape.id} diverged at ${where}: ${String(first.path)} is ${live}, recorded ${recorded}${more > 0 ? ` (and ${more} more difference${more > 1 ? 's' : ''})` : ''}`;
  }
  return `Replay of tape ${tape.id} diverged at draw ${String(details.index)}: ${firstLine(error.message)}`;
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

function text(value: unknown): string {
  // `(absent)`, `(no body)`: the transport's words for what is not there, shown as they are.
  return typeof value === 'string' && value.startsWith('(')
    ? value
    : (JSON.stringify(value) ?? String(value));
}

/** How many characters of each value the line shows, and how many before the first difference. */
const WIDTH = 60;
const BEFORE = 20;

/** Both values cut to a window around where they first differ, so the line shows the change. */
export function around(recorded: string, live: string): [string, string] {
  if (recorded.length <= WIDTH && live.length <= WIDTH) return [recorded, live];
  let at = 0;
  while (at < recorded.length && at < live.length && recorded[at] === live[at]) at++;
  const from = Math.max(0, at - BEFORE);
  const cut = (value: string) =>
    `${from > 0 ? '…' : ''}${value.slice(from, from + WIDTH)}${from + WIDTH < value.length ? '…' : ''}`;
  return [cut(recorded), cut(live)];
}
