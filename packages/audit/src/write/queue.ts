/** What an entry's caller waits for. */
export interface Settle<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

/** A queued entry: `value` is written into the day file named by `day`. */
export interface QueuedEntry<E, R> extends Settle<R> {
  readonly kind: 'entry';
  readonly value: E;
  readonly day: string;
}

/**
 * The operations that run between batches, in queue order. `periodic`: a timed checkpoint, made
 * only when entries were added since the last one.
 */
export type ControlKind = 'sync' | 'checkpoint' | 'periodic' | 'close';

/** A queued control operation. */
export interface QueuedControl<C> extends Settle<C> {
  readonly kind: ControlKind;
}

/**
 * Does the work. Each call settles every item it is given (never throws for them) and returns a
 * promise only when it has to wait: then the queue waits too, so items never overtake each other.
 */
export interface QueueWorker<E, R, C> {
  writeBatch(batch: QueuedEntry<E, R>[]): void | Promise<void>;
  runControl(item: QueuedControl<C>): void | Promise<void>;
  /** Most entries the next batch may hold (at least 1 is always handed over); default no limit. */
  room?(): number;
}

/** Most entries written in one batch (one write). */
const MAX_BATCH = 4096;

/**
 * The write queue: entries and control operations run strictly in call order, one at a time.
 * Entries queued in the same tick, for the same day file, are handed over as one batch — one
 * write for all of them. Work starts in a microtask rather than at once, so a caller that issues
 * many appends together gets them batched; a worker that finishes without waiting (a synchronous
 * write) settles its callers within that same microtask.
 */
export class WriteQueue<E, R, C> {
  private readonly worker: QueueWorker<E, R, C>;
  private readonly items: Array<QueuedEntry<E, R> | QueuedControl<C>> = [];
  private running = false;
  private readonly run = () => this.drain();
  // Node's queueMicrotask builds an AsyncResource per call; a resolved promise's `then` queues the
  // same microtask without one, which matters at one microtask per awaited append.
  private static readonly resolved = Promise.resolve();

  constructor(worker: QueueWorker<E, R, C>) {
    this.worker = worker;
  }

  /** True when nothing is queued or being written. */
  get idle(): boolean {
    return !this.running && this.items.length === 0;
  }

  /** Queues an entry; the promise settles when its batch is written (or fails). */
  entry(value: E, day: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.push({ kind: 'entry', value, day, resolve, reject });
    });
  }

  /** Queues a control operation behind everything already queued. */
  control(kind: ControlKind): Promise<C> {
    return new Promise<C>((resolve, reject) => {
      this.push({ kind, resolve, reject });
    });
  }

  private push(item: QueuedEntry<E, R> | QueuedControl<C>): void {
    this.items.push(item);
    if (!this.running) {
      this.running = true;
      void WriteQueue.resolved.then(this.run);
    }
  }

  /** Hands items to the worker in order; goes on after the worker's promise when it returns one. */
  private drain(): void {
    while (this.items.length > 0) {
      const taken = this.take();
      let pending: void | Promise<void>;
      try {
        pending =
          taken[0]!.kind === 'entry'
            ? this.worker.writeBatch(taken as QueuedEntry<E, R>[])
            : this.worker.runControl(taken[0] as QueuedControl<C>);
      } catch (error) {
        // The worker settles what it is given; should it throw anyway, its callers hear of it
        // rather than wait forever.
        for (const item of taken) item.reject(error);
        continue;
      }
      if (pending !== undefined) {
        pending.then(this.run, (error: unknown) => {
          for (const item of taken) item.reject(error);
          this.drain();
        });
        return;
      }
    }
    this.running = false;
  }

  /** The next control item alone, or the next run of entries for one day. */
  private take(): Array<QueuedEntry<E, R> | QueuedControl<C>> {
    const first = this.items[0]!;
    if (first.kind !== 'entry') return this.items.splice(0, 1);
    const limit = this.worker.room ? Math.min(MAX_BATCH, this.worker.room()) : MAX_BATCH;
    let n = 1;
    while (n < this.items.length && n < limit) {
      const next = this.items[n]!;
      if (next.kind !== 'entry' || next.day !== first.day) break;
      n++;
    }
    return this.items.splice(0, n);
  }
}
