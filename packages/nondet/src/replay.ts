import { NondetError, NondetErrorCode } from './errors.js';
import { type JsonValue, preview } from './json.js';
import { DecodeProblem, type Kind } from './kinds.js';
import { validateLog } from './log.js';
import { type Cursor, detached, type LeftoverReport, LogReader } from './reader.js';
import {
  BaseSource,
  type DrawCodec,
  type NondetSource,
  sourceFailedKind,
  sourceKind,
} from './source.js';
import { decodeSourceValue } from './source-values.js';

/** A source that serves a log back, and can say what it did not serve. */
export interface ReplaySource extends NondetSource {
  /** How many draws have been served so far, over all streams. */
  readonly consumed: number;
  /** The draws not yet served, over all streams, in log order. */
  leftover(): LeftoverReport;
  /** Throws `NONDET_UNCONSUMED` if any draw was not served. Call it when the run ends. */
  assertConsumed(): void;
}

/** What a named-source draw asked, for divergence details. */
export function describeSource(kind: string): Record<string, JsonValue> {
  return { kind };
}

/** The error a replayed failing source throws: the run saw its source fail when it was recorded. */
export function replayedFailure(
  name: string,
  cursor: Cursor,
  index: number,
  recorded: JsonValue,
): NondetError {
  const fields =
    typeof recorded === 'object' && recorded !== null && !Array.isArray(recorded)
      ? (recorded as Record<string, JsonValue>)
      : {};
  const errorName = typeof fields.name === 'string' ? fields.name : 'Error';
  const message = typeof fields.message === 'string' ? fields.message : preview(recorded);
  return new NondetError(
    NondetErrorCode.SOURCE_FAILED,
    `The source "${name}" failed when the run was recorded (${errorName}: ${message}), so replay fails this draw the same way. Handle the failure as the live run would, or re-record once the source works.`,
    {
      details: {
        name,
        index,
        stream: cursor.stream ?? null,
        streamIndex: cursor.next,
        error: recorded,
      },
    },
  );
}

class Replay extends BaseSource implements ReplaySource {
  private readonly cursor: Cursor;

  constructor(
    private readonly reader: LogReader,
    stream: string | undefined,
    views: Map<string, BaseSource> | undefined,
  ) {
    super(stream, views);
    this.cursor = reader.cursor(stream);
  }

  get consumed(): number {
    return this.reader.consumed;
  }
  leftover(): LeftoverReport {
    return this.reader.leftover();
  }
  assertConsumed(): void {
    this.reader.assertConsumed();
  }

  protected view(name: string, views: Map<string, BaseSource>): BaseSource {
    return new Replay(this.reader, name, views);
  }

  protected take<T, P>(kind: Kind<T, P>, param: P): T {
    const index = this.reader.peek(this.cursor, kind.name, undefined, kind.describe, param);
    const value = kind.decode(this.reader.records[index]!.value, param);
    if (value instanceof DecodeProblem)
      throw this.reader.problem(this.cursor, index, value, kind.describe(param));
    this.reader.advance(this.cursor);
    return value;
  }

  /** Serves a named source's draw, or throws its recorded failure. */
  private serveSource(name: string, codec: DrawCodec<unknown> | undefined): unknown {
    const kind = sourceKind(name);
    const index = this.reader.peek(this.cursor, kind, sourceFailedKind(name), describeSource, kind);
    const record = this.reader.records[index]!;
    if (record.kind !== sourceKind(name)) {
      const error = replayedFailure(name, this.cursor, index, detached(record.value));
      this.reader.advance(this.cursor);
      throw error;
    }
    let value: unknown;
    try {
      value = decodeSourceValue(record.value, codec);
    } catch (cause) {
      throw this.reader.problem(
        this.cursor,
        index,
        new DecodeProblem('bad-value', 'could not be decoded by the codec passed to draw()'),
        { kind: sourceKind(name) },
        cause,
      );
    }
    this.reader.advance(this.cursor);
    return value;
  }

  protected takeSource(
    name: string,
    _produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): unknown {
    return this.serveSource(name, codec);
  }

  protected takeSourceAsync(
    name: string,
    _produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): Promise<unknown> {
    // The log position is taken now, in call order, exactly as the recording took it.
    try {
      return Promise.resolve(this.serveSource(name, codec));
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * Serves `log` back in order, stream by stream, never touching the platform or a named source's
 * producer. A draw of another kind than recorded, with another range or length, with a value its
 * kind cannot hold, or past the end of its stream throws `NONDET_DIVERGED`; `assertConsumed()`
 * reports draws left over. Throws `NONDET_LOG_INVALID` for a malformed log.
 */
export function replay(log: unknown): ReplaySource {
  return new Replay(new LogReader(validateLog(log)), undefined, undefined);
}
