/**
 * A tape store whose every method answers asynchronously, as a store over a network or a shared
 * bucket does: the memory store behind timers. It implements the whole `TapeStore` interface, so
 * the transport sees exactly what it would see from such a backend.
 */
import type { TapeEvent } from '@trace/spec';
import { openMemoryStore, type TapeRecorder, type TapeStore } from '@trace/tape';

/** How long each append waits before it reaches the store, by event. */
export type AppendDelay = (event: TapeEvent) => number;

function later<T>(ms: number, fn: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
}

export function openAsyncStore(appendDelay: AppendDelay = () => 1): TapeStore & {
  /** The synchronous store underneath, to look at or change behind the transport's back. */
  readonly inner: ReturnType<typeof openMemoryStore>;
} {
  const inner = openMemoryStore({ name: 'memory:async' });
  return {
    inner,
    location: inner.location,
    list: () => later(1, () => inner.list()),
    has: (id) => later(1, () => inner.has(id)),
    load: (id) => later(1, () => inner.load(id)),
    save: (tape) => later(1, () => inner.save(tape)),
    delete: (id) => later(1, () => inner.delete(id)),
    verify: (id) => later(1, () => inner.verify(id)),
    close: () => later(1, () => inner.close()),
    async record(options) {
      const recorder = await later(1, () => inner.record(options));
      const wrapped: TapeRecorder = {
        id: recorder.id,
        append: (event) => later(appendDelay(event), () => recorder.append(event)),
        finish: () => later(1, () => recorder.finish()),
        get fingerprint() {
          return recorder.fingerprint;
        },
        get eventCount() {
          return recorder.eventCount;
        },
        get counts() {
          return recorder.counts;
        },
        get finished() {
          return recorder.finished;
        },
      };
      return wrapped;
    },
  };
}
