/**
 * A source that serves each draw from another source it chooses per draw: the base of sources
 * that route draws — a run's replay that goes live after a divergence, a fork that serves its
 * parent's draws before the fork point and the tail's after. A subclass decides, in `delegate`,
 * which source answers and what a failure becomes; every draw method goes through it.
 */
import type { JsonValue } from '@trace/spec';
import type { DrawCodec, NondetSource } from './source.js';

export abstract class DelegatingSource implements NondetSource {
  abstract readonly streamName: string | undefined;
  abstract stream(name: string): NondetSource;

  /** Makes one draw: `ask` it of the source that serves this draw. */
  protected abstract delegate<T>(ask: (source: NondetSource) => T): T;

  /**
   * Makes one draw that settles later (`drawAsync`). By default as `delegate` does; a subclass
   * that turns a failure into another error overrides it, since the failure comes later too.
   */
  protected delegateAsync<T>(ask: (source: NondetSource) => Promise<T>): Promise<T> {
    return this.delegate(ask);
  }

  now(): number {
    return this.delegate((s) => s.now());
  }
  date(): Date {
    return this.delegate((s) => s.date());
  }
  iso(): string {
    return this.delegate((s) => s.iso());
  }
  monotonic(): number {
    return this.delegate((s) => s.monotonic());
  }
  uuidV4(): string {
    return this.delegate((s) => s.uuidV4());
  }
  uuidV7(): string {
    return this.delegate((s) => s.uuidV7());
  }
  float(): number {
    return this.delegate((s) => s.float());
  }
  int(min: number, max: number): number;
  int(min: bigint, max: bigint): bigint;
  int(min: number | bigint, max: number | bigint): number | bigint {
    return this.delegate((s) => s.int(min as never, max as never));
  }
  bytes(length: number): Uint8Array {
    return this.delegate((s) => s.bytes(length));
  }
  draw<T extends JsonValue>(name: string, produce: () => T): T;
  draw<T>(name: string, produce: () => T, codec: DrawCodec<T>): T;
  draw<T>(name: string, produce: () => T, codec?: DrawCodec<T>): T {
    return this.delegate((s) =>
      codec === undefined
        ? (s.draw(name, produce as () => JsonValue) as T)
        : s.draw(name, produce, codec),
    );
  }
  drawAsync<T extends JsonValue>(name: string, produce: () => T | PromiseLike<T>): Promise<T>;
  drawAsync<T>(name: string, produce: () => T | PromiseLike<T>, codec: DrawCodec<T>): Promise<T>;
  drawAsync<T>(name: string, produce: () => T | PromiseLike<T>, codec?: DrawCodec<T>): Promise<T> {
    return this.delegateAsync((s) =>
      codec === undefined
        ? (s.drawAsync(name, produce as () => JsonValue) as Promise<T>)
        : s.drawAsync(name, produce, codec),
    );
  }
}
