import { NondetDivergenceError, NondetErrorCode } from './errors.js';
import { type JsonValue, preview } from './json.js';
import type { DecodeProblem } from './kinds.js';
import type { DrawRecord } from './log.js';

/** A stream's draws (their indices in the whole log) and how many have been served. */
export interface Cursor {
  readonly stream: string | undefined;
  readonly indices: number[];
  next: number;
}

/** A draw left over at the end of a replay. */
export interface LeftoverDraw {
  /** Its position in the whole log. */
  readonly index: number;
  /** Its stream; absent for the default stream. */
  readonly stream?: string;
  /** Its position within its stream. */
  readonly streamIndex: number;
  readonly kind: string;
  readonly value: JsonValue;
}

/** What is left of a log: how many draws were not served, and which. */
export interface LeftoverReport {
  readonly count: number;
  /** Every leftover draw, in log order. */
  readonly draws: readonly LeftoverDraw[];
}

/**
 * A copy of a logged value for the caller (leftover draws, error details): a caller editing what
 * it was handed, say redacting it in place, must not change what the replay serves next.
 */
export function detached(value: JsonValue): JsonValue {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

const ADVICE =
  'The run no longer draws what it drew when the log was recorded: re-record it if the change is intended, or find what changed before this draw (record the run again and compareLogs(old, new) shows where it departs).';

function describeAsk(asked: Record<string, JsonValue>): string {
  const { kind, ...params } = asked;
  if (typeof params.min === 'string') return `${kind} in [${params.min}, ${params.max}]`;
  if (typeof params.length === 'number') return `${kind} of ${params.length} bytes`;
  return String(kind);
}

function where(index: number, stream: string | undefined, streamIndex: number): string {
  if (stream !== undefined) return `draw #${index} (stream "${stream}", its draw #${streamIndex})`;
  return streamIndex === index
    ? `draw #${index}`
    : `draw #${index} (default stream, its draw #${streamIndex})`;
}

/**
 * Serves a validated log stream by stream, and says precisely where and how a run departs from it.
 * Shared by the replay and drifting sources.
 */
export class LogReader {
  private readonly cursors = new Map<string | undefined, Cursor>();
  consumed = 0;

  constructor(readonly records: readonly DrawRecord[]) {
    for (let index = 0; index < records.length; index++) {
      this.cursor(records[index]!.stream).indices.push(index);
    }
  }

  cursor(stream: string | undefined): Cursor {
    let cursor = this.cursors.get(stream);
    if (cursor === undefined) {
      cursor = { stream, indices: [], next: 0 };
      this.cursors.set(stream, cursor);
    }
    return cursor;
  }

  /**
   * The index of the next draw on `cursor` if it is one of the `accepted` kinds; otherwise throws
   * the divergence. Does not advance: call `advance` once the value is served.
   */
  peek<P>(
    cursor: Cursor,
    accept: string,
    acceptAlso: string | undefined,
    describe: (param: P) => Record<string, JsonValue>,
    param: P,
  ): number {
    const index = cursor.indices[cursor.next];
    if (index === undefined) {
      const at = this.records.length;
      const ask = describe(param);
      throw new NondetDivergenceError(
        NondetErrorCode.DIVERGED,
        `Replay ran past the end of the log at ${where(at, cursor.stream, cursor.next)}: the run asked for ${describeAsk(ask)}, but the log holds no more draws${cursor.stream === undefined ? '' : ` on stream "${cursor.stream}"`}. ${ADVICE}`,
        {
          details: {
            reason: 'past-end',
            index: at,
            stream: cursor.stream ?? null,
            streamIndex: cursor.next,
            expected: null,
            asked: ask,
          },
        },
      );
    }
    const record = this.records[index]!;
    if (record.kind !== accept && record.kind !== acceptAlso) {
      const ask = describe(param);
      throw new NondetDivergenceError(
        NondetErrorCode.DIVERGED,
        `Replay diverged at ${where(index, cursor.stream, cursor.next)}: the log recorded ${record.kind} ${preview(record.value)} there, but the run asked for ${describeAsk(ask)}. ${ADVICE}`,
        {
          details: {
            reason: 'kind-mismatch',
            index,
            stream: cursor.stream ?? null,
            streamIndex: cursor.next,
            expected: { kind: record.kind, value: detached(record.value) },
            asked: ask,
          },
        },
      );
    }
    return index;
  }

  /** The divergence for a recorded value that cannot be served for what was asked. */
  problem(
    cursor: Cursor,
    index: number,
    problem: DecodeProblem,
    asked: Record<string, JsonValue>,
    cause?: unknown,
  ): NondetDivergenceError {
    const record = this.records[index]!;
    return new NondetDivergenceError(
      NondetErrorCode.DIVERGED,
      `Replay diverged at ${where(index, cursor.stream, cursor.next)}: the log's ${record.kind} ${preview(record.value)} there ${problem.message}, and the run asked for ${describeAsk(asked)}. ${ADVICE}`,
      {
        cause,
        details: {
          reason: problem.reason,
          index,
          stream: cursor.stream ?? null,
          streamIndex: cursor.next,
          expected: { kind: record.kind, value: detached(record.value) },
          asked,
        },
      },
    );
  }

  advance(cursor: Cursor): void {
    cursor.next++;
    this.consumed++;
  }

  leftover(): LeftoverReport {
    const draws: LeftoverDraw[] = [];
    for (const cursor of this.cursors.values()) {
      for (let s = cursor.next; s < cursor.indices.length; s++) {
        const index = cursor.indices[s]!;
        const record = this.records[index]!;
        draws.push(
          record.stream === undefined
            ? { index, streamIndex: s, kind: record.kind, value: detached(record.value) }
            : {
                index,
                stream: record.stream,
                streamIndex: s,
                kind: record.kind,
                value: detached(record.value),
              },
        );
      }
    }
    draws.sort((a, b) => a.index - b.index);
    return { count: draws.length, draws };
  }

  assertConsumed(): void {
    const { count, draws } = this.leftover();
    const first = draws[0];
    if (first === undefined) return;
    // Counted in a Map: stream names are arbitrary ("constructor", "__proto__"), and a plain
    // object would read its prototype's properties for them.
    const counts = new Map<string, number>();
    for (const draw of draws) {
      const key = draw.stream ?? '';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const byStream: Record<string, number> = Object.fromEntries(counts);
    throw new NondetDivergenceError(
      NondetErrorCode.UNCONSUMED,
      `The run ended with ${count} recorded draw${count === 1 ? '' : 's'} not replayed; the first is ${where(first.index, first.stream, first.streamIndex)}: ${first.kind} ${preview(first.value)}. The run drew less than when it was recorded: re-record it if that is intended, or find what changed (leftover() lists every draw left).`,
      {
        details: {
          reason: 'unconsumed',
          count,
          index: first.index,
          stream: first.stream ?? null,
          streamIndex: first.streamIndex,
          expected: { kind: first.kind, value: first.value },
          asked: null,
          byStream,
        },
      },
    );
  }
}
