import { invalidArgument, NondetError, NondetErrorCode } from './errors.js';
import { live } from './generating.js';
import type { JsonValue } from './json.js';
import type { Kind } from './kinds.js';
import type { DrawRecord } from './log.js';
import {
  BaseSource,
  type DrawCodec,
  type NondetSource,
  sourceFailedKind,
  sourceKind,
} from './source.js';
import { encodeSourceValue } from './source-values.js';

/** A source that logs every draw it serves. */
export interface RecordingSource extends NondetSource {
  /**
   * A copy of the log so far: plain JSON, ready for `@trace/tape`. Throws `NONDET_DRAWS_PENDING` while
   * a `drawAsync` is still in flight, since its place in the log is taken but its value is not known.
   */
  log(): DrawRecord[];
  /** How many draws have been taken (in flight included). */
  readonly size: number;
}

export interface RecordingOptions {
  /**
   * Called with each draw as soon as it and every draw before it are known, in log order, with
   * its position in the log: stream the draws somewhere durable (a tape recorder) so that a run
   * that dies midway keeps the draws it made. A `drawAsync` still in flight holds back the draws
   * taken after it. The record is a copy. An error it throws reaches the code that made the draw;
   * the draw stays in the log.
   */
  readonly onDraw?: (record: DrawRecord, index: number) => void;
}

/** The longest error message kept for a failed source. */
const MAX_MESSAGE = 2000;

interface Shared {
  readonly inner: NondetSource;
  /** The log; undefined marks a source draw still in flight. */
  readonly records: (DrawRecord | undefined)[];
  pending: number;
  readonly onDraw: RecordingOptions['onDraw'];
  /** How many records `onDraw` has been given: always a prefix of the log. */
  delivered: number;
}

/** A record the listener may keep or change without reaching the log: values can be objects. */
function copyRecord(record: DrawRecord): DrawRecord {
  return typeof record.value === 'object' && record.value !== null
    ? structuredClone(record)
    : { ...record };
}

/** What a failed source threw, as JSON: its name and message. */
function describeFailure(error: unknown): JsonValue {
  // A thrown value need not be an Error, and need not have a string form (a null-prototype object,
  // a throwing getter): describing it must not throw, or the draw's slot would never be settled.
  try {
    // A replayed failure re-recorded keeps the original error's name and message.
    if (NondetError.isInstance(error) && error.code === NondetErrorCode.SOURCE_FAILED) {
      const recorded = error.details.error as JsonValue | undefined;
      if (recorded !== undefined) return recorded;
    }
    const name = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : error;
    return { name: String(name), message: stringOf(message).slice(0, MAX_MESSAGE) };
  } catch {
    return { name: typeof error, message: stringOf(error).slice(0, MAX_MESSAGE) };
  }
}

function stringOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return `a thrown ${typeof value} with no string form`;
    }
  }
}

class Recording extends BaseSource implements RecordingSource {
  private readonly inner: NondetSource;

  constructor(
    private readonly shared: Shared,
    stream: string | undefined,
    views: Map<string, BaseSource> | undefined,
  ) {
    super(stream, views);
    this.inner = stream === undefined ? shared.inner : shared.inner.stream(stream);
  }

  get size(): number {
    return this.shared.records.length;
  }

  log(): DrawRecord[] {
    if (this.shared.pending > 0) {
      throw new NondetError(
        NondetErrorCode.DRAWS_PENDING,
        `${this.shared.pending} drawAsync call${this.shared.pending === 1 ? ' is' : 's are'} still in flight, so the log is not complete. Await them before reading the log.`,
        { details: { pending: this.shared.pending } },
      );
    }
    return structuredClone(this.shared.records as DrawRecord[]);
  }

  protected view(name: string, views: Map<string, BaseSource>): BaseSource {
    return new Recording(this.shared, name, views);
  }

  private record(kind: string, value: JsonValue): DrawRecord {
    const stream = this.streamName;
    return stream === undefined ? { kind, value } : { kind, value, stream };
  }

  protected take<T, P>(kind: Kind<T, P>, param: P): T {
    const value = kind.ask(this.inner, param);
    this.shared.records.push(this.record(kind.name, kind.encode(value, param)));
    this.deliver();
    return value;
  }

  /** Hands `onDraw` every record of the settled prefix of the log it has not had yet. */
  private deliver(): void {
    const shared = this.shared;
    if (shared.onDraw === undefined) return;
    while (shared.delivered < shared.records.length) {
      const record = shared.records[shared.delivered];
      if (record === undefined) return; // a drawAsync before it is still in flight
      // Counted first: a listener that draws, or throws, never sees a record twice.
      const index = shared.delivered++;
      shared.onDraw(copyRecord(record), index);
    }
  }

  /** Takes the draw's place in the log now, so draws made while it runs come after it. */
  private reserve(): number {
    this.shared.pending++;
    return this.shared.records.push(undefined) - 1;
  }

  private settle(slot: number, record: DrawRecord): void {
    this.shared.records[slot] = record;
    this.shared.pending--;
    this.deliver();
  }

  private succeed(
    slot: number,
    name: string,
    value: unknown,
    codec: DrawCodec<unknown> | undefined,
  ): unknown {
    let json: JsonValue;
    try {
      json = encodeSourceValue(sourceKind(name), value, codec);
    } catch (error) {
      this.fail(slot, name, error);
      throw error;
    }
    this.settle(slot, this.record(sourceKind(name), json));
    return value;
  }

  private fail(slot: number, name: string, error: unknown): void {
    this.settle(slot, this.record(sourceFailedKind(name), describeFailure(error)));
  }

  protected takeSource(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): unknown {
    const slot = this.reserve();
    let value: unknown;
    try {
      value =
        codec === undefined
          ? this.inner.draw(name, produce as () => JsonValue)
          : this.inner.draw(name, produce, codec);
    } catch (error) {
      this.fail(slot, name, error);
      throw error;
    }
    return this.succeed(slot, name, value, codec);
  }

  protected takeSourceAsync(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): Promise<unknown> {
    const slot = this.reserve();
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(
        codec === undefined
          ? this.inner.drawAsync(name, produce as () => JsonValue)
          : this.inner.drawAsync(name, produce, codec),
      );
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (value) => this.succeed(slot, name, value, codec),
      (error: unknown) => {
        this.fail(slot, name, error);
        throw error;
      },
    );
  }
}

/**
 * Serves draws from `inner` (live by default; `seeded()` for a deterministic recording) and logs
 * each one. Each stream view logs under its stream's name and draws from `inner.stream(name)`.
 */
export function recording(
  inner: NondetSource = live(),
  options: RecordingOptions = {},
): RecordingSource {
  const onDraw = (options as RecordingOptions | null)?.onDraw;
  if (options === null || typeof options !== 'object') {
    throw invalidArgument('recording(inner, options) takes options as an object: `{ onDraw }`.', {
      argument: 'options',
    });
  }
  if (onDraw !== undefined && typeof onDraw !== 'function') {
    throw invalidArgument('recording({ onDraw }) needs a function, called with each draw.', {
      argument: 'onDraw',
    });
  }
  return new Recording(
    { inner, records: [], pending: 0, onDraw, delivered: 0 },
    undefined,
    undefined,
  );
}
