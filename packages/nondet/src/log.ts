import type { TapeEvent } from '@trace/spec';
import { NondetError, NondetErrorCode } from './errors.js';
import { copyJson, type JsonValue, jsonEqual } from './json.js';

/**
 * One draw as logged. `@trace/tape` stores it as a draw event; the keys are exactly these, and
 * `stream` is absent for the default stream.
 */
export interface DrawRecord {
  /** What was drawn: a built-in kind such as `clock.wall`, or `source:<name>`. */
  readonly kind: string;
  /** The value, encoded losslessly as JSON (see the kinds table in the README). */
  readonly value: JsonValue;
  /** The named stream the draw belongs to; absent for the default stream. */
  readonly stream?: string;
}

/** Every draw of a run, in the order they were taken. Plain JSON. */
export type DrawLog = readonly DrawRecord[];

function invalid(index: number | null, problem: string): NondetError {
  const where = index === null ? 'The draw log' : `Draw #${index} of the log`;
  return new NondetError(
    NondetErrorCode.LOG_INVALID,
    `${where} is not valid: ${problem}. A draw log is a JSON array of { kind, value, stream? }; pass the log a recording produced, unedited.`,
    { details: { index, problem } },
  );
}

/**
 * Checks that `value` is a well-formed draw log and returns a deep copy of it (so later changes to
 * the caller's array cannot reach a replay). Throws `NONDET_LOG_INVALID` naming the first bad draw.
 * Values are checked against their kind only when they are served.
 */
export function validateLog(value: unknown): DrawRecord[] {
  if (!Array.isArray(value)) throw invalid(null, `expected an array, got ${typeOf(value)}`);
  const out: DrawRecord[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) throw invalid(i, 'it is missing (a hole in the array)');
    const item: unknown = value[i];
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw invalid(i, `expected an object, got ${typeOf(item)}`);
    }
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (key !== 'kind' && key !== 'value' && key !== 'stream') {
        throw invalid(i, `it has an unknown key "${key}"`);
      }
    }
    if (typeof record.kind !== 'string' || record.kind.length === 0) {
      throw invalid(i, 'its kind is not a non-empty string');
    }
    if (!Object.hasOwn(record, 'value')) throw invalid(i, 'it has no value');
    const copy = copyJson(record.value);
    if (!copy.ok) throw invalid(i, `its value is not JSON at ${copy.path}: ${copy.problem}`);
    const stream = record.stream;
    if (stream !== undefined && (typeof stream !== 'string' || stream.length === 0)) {
      throw invalid(i, 'its stream is not a non-empty string');
    }
    out[i] =
      stream === undefined
        ? { kind: record.kind, value: copy.value }
        : { kind: record.kind, value: copy.value, stream };
  }
  return out;
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Where two logs first differ, stream by stream. */
export interface LogDifference {
  /** The stream the difference is on; null for the default stream. */
  readonly stream: string | null;
  /** The position of the differing draw within its stream. */
  readonly streamIndex: number;
  /** The draw `expected` holds there (with its index in `expected`), or null if it has none. */
  readonly expected: { readonly index: number; readonly record: DrawRecord } | null;
  /** The draw `actual` holds there (with its index in `actual`), or null if it has none. */
  readonly actual: { readonly index: number; readonly record: DrawRecord } | null;
}

function byStream(log: DrawLog): Map<string | null, number[]> {
  const streams = new Map<string | null, number[]>();
  log.forEach((record, index) => {
    const key = record.stream ?? null;
    const list = streams.get(key);
    if (list === undefined) streams.set(key, [index]);
    else list.push(index);
  });
  return streams;
}

/**
 * The first draw at which `actual` departs from `expected`, or undefined when every stream holds
 * the same draws in the same order. Order across streams is ignored, as replay ignores it. Use it
 * to find what changed: record the run again and compare the new log with the old one. Throws
 * `NONDET_LOG_INVALID` if either is not a well-formed log.
 */
export function compareLogs(expectedLog: DrawLog, actualLog: DrawLog): LogDifference | undefined {
  // Logs usually come from files or tapes: a malformed one is a typed error, not a TypeError.
  const expected = validateLog(expectedLog);
  const actual = validateLog(actualLog);
  const actualStreams = byStream(actual);
  const positions = new Map<string | null, number>();
  for (let index = 0; index < expected.length; index++) {
    const record = expected[index]!;
    const key = record.stream ?? null;
    const streamIndex = positions.get(key) ?? 0;
    positions.set(key, streamIndex + 1);
    const actualIndex = actualStreams.get(key)?.[streamIndex];
    const other = actualIndex === undefined ? undefined : actual[actualIndex];
    if (
      other === undefined ||
      other.kind !== record.kind ||
      !jsonEqual(other.value, record.value)
    ) {
      return {
        stream: key,
        streamIndex,
        expected: { index, record },
        actual:
          actualIndex === undefined || other === undefined
            ? null
            : { index: actualIndex, record: other },
      };
    }
  }
  // Everything expected matched; the first extra draw in actual, if any, is the difference.
  // Count each stream's draws as we go: looking each index up in its stream would be quadratic.
  const actualPositions = new Map<string | null, number>();
  for (let index = 0; index < actual.length; index++) {
    const record = actual[index]!;
    const key = record.stream ?? null;
    const streamIndex = actualPositions.get(key) ?? 0;
    actualPositions.set(key, streamIndex + 1);
    if (streamIndex >= (positions.get(key) ?? 0))
      return { stream: key, streamIndex, expected: null, actual: { index, record } };
  }
  return undefined;
}

/**
 * The draw log a tape holds: its draw events, in order, as the records they were recorded from
 * (what `replay` and `drifting` take). Exchanges and annotations between them are left out.
 */
export function drawLogOf(events: Iterable<TapeEvent>): DrawRecord[] {
  const log: DrawRecord[] = [];
  for (const event of events) {
    if (event.type !== 'draw') continue;
    log.push(
      event.stream === undefined
        ? { kind: event.kind, value: event.value }
        : { kind: event.kind, value: event.value, stream: event.stream },
    );
  }
  return log;
}
