import { live } from './generating.js';
import { type JsonValue, jsonEqual } from './json.js';
import type { Kind } from './kinds.js';
import { validateLog } from './log.js';
import { type Cursor, type LeftoverReport, LogReader } from './reader.js';
import { describeSource, type ReplaySource } from './replay.js';
import {
  BaseSource,
  type DrawCodec,
  type NondetSource,
  sourceFailedKind,
  sourceKind,
} from './source.js';

interface Shared {
  readonly reader: LogReader;
  readonly inner: NondetSource;
}

class Drifting extends BaseSource implements ReplaySource {
  private readonly cursor: Cursor;
  private readonly inner: NondetSource;

  constructor(
    private readonly shared: Shared,
    stream: string | undefined,
    views: Map<string, BaseSource> | undefined,
  ) {
    super(stream, views);
    this.cursor = shared.reader.cursor(stream);
    this.inner = stream === undefined ? shared.inner : shared.inner.stream(stream);
  }

  get consumed(): number {
    return this.shared.reader.consumed;
  }
  leftover(): LeftoverReport {
    return this.shared.reader.leftover();
  }
  assertConsumed(): void {
    this.shared.reader.assertConsumed();
  }

  protected view(name: string, views: Map<string, BaseSource>): BaseSource {
    return new Drifting(this.shared, name, views);
  }

  protected take<T, P>(kind: Kind<T, P>, param: P): T {
    const { reader } = this.shared;
    const index = reader.peek(this.cursor, kind.name, undefined, kind.describe, param);
    let value = kind.ask(this.inner, param);
    // A fresh value can equal the recorded one (the same millisecond); a control must differ.
    if (jsonEqual(kind.encode(value, param), reader.records[index]!.value))
      value = kind.nudge(value, param);
    reader.advance(this.cursor);
    return value;
  }

  private expectSource(name: string): void {
    this.shared.reader.peek(
      this.cursor,
      sourceKind(name),
      sourceFailedKind(name),
      describeSource,
      sourceKind(name),
    );
    this.shared.reader.advance(this.cursor);
  }

  protected takeSource(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): unknown {
    this.expectSource(name);
    return codec === undefined
      ? this.inner.draw(name, produce as () => JsonValue)
      : this.inner.draw(name, produce, codec);
  }

  protected takeSourceAsync(
    name: string,
    produce: () => unknown,
    codec: DrawCodec<unknown> | undefined,
  ): Promise<unknown> {
    try {
      this.expectSource(name);
    } catch (error) {
      return Promise.reject(error);
    }
    return codec === undefined
      ? this.inner.drawAsync(name, produce as () => JsonValue)
      : this.inner.drawAsync(name, produce, codec);
  }
}

/**
 * The negative control for a replay: follows `log`'s kinds and order like a replay (and diverges
 * the same way when the run departs from them), but serves fresh values from `inner` (live by
 * default) instead of the recorded ones. Each built-in draw differs from the recorded value
 * wherever its kind allows another value; named sources run their producer again. A check that
 * passes under drifting as well as under replay does not depend on the recorded values.
 */
export function drifting(log: unknown, inner: NondetSource = live()): ReplaySource {
  return new Drifting({ reader: new LogReader(validateLog(log)), inner }, undefined, undefined);
}
