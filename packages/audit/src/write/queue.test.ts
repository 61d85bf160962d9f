import { describe, expect, it } from 'vitest';
import { type QueuedControl, type QueuedEntry, WriteQueue } from './queue.js';

/** A worker that records what it is given and settles it, at once or after a timer. */
function recorder(options: { async?: boolean; failOn?: string; rooms?: number[] } = {}) {
  const log: string[] = [];
  const { rooms } = options;
  const worker = {
    ...(rooms ? { room: () => rooms.shift() ?? 100 } : {}),
    writeBatch(batch: QueuedEntry<string, string>[]) {
      log.push(`batch ${batch.map((item) => item.value).join(',')}`);
      if (batch.some((item) => item.value === options.failOn)) throw new Error('worker broke');
      const settle = () => {
        for (const item of batch) item.resolve(item.value);
      };
      if (!options.async) return settle();
      return new Promise<void>((resolve) => setTimeout(() => resolve(settle()), 5));
    },
    runControl(item: QueuedControl<string>) {
      log.push(item.kind);
      item.resolve(item.kind);
    },
  };
  return { log, queue: new WriteQueue(worker) };
}

describe('WriteQueue', () => {
  it('hands entries issued together over as one batch per day file, in call order', async () => {
    const { log, queue } = recorder();
    const done = [
      queue.entry('a', '2026-03-01'),
      queue.entry('b', '2026-03-01'),
      queue.entry('c', '2026-03-02'),
      queue.control('sync'),
      queue.entry('d', '2026-03-02'),
    ];
    expect(log).toEqual([]); // nothing runs before the caller's synchronous code is done
    expect(await Promise.all(done)).toEqual(['a', 'b', 'c', 'sync', 'd']);
    expect(log).toEqual(['batch a,b', 'batch c', 'sync', 'batch d']);
    expect(queue.idle).toBe(true);
  });

  it('settles a synchronous worker’s callers within the microtask that wrote them', async () => {
    const { queue } = recorder();
    let settled = false;
    void queue.entry('a', 'd').then(() => {
      settled = true;
    });
    // A timer runs after every microtask: by then the entry must be settled.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(settled).toBe(true);
  });

  it('holds everything after a batch that waits until it is done', async () => {
    const { log, queue } = recorder({ async: true });
    const first = queue.entry('a', 'd');
    await Promise.resolve(); // the batch [a] has started and is waiting on its timer
    const later = [queue.entry('b', 'd'), queue.control('checkpoint'), queue.entry('c', 'd')];
    expect(queue.idle).toBe(false);
    expect(await Promise.all([first, ...later])).toEqual(['a', 'b', 'checkpoint', 'c']);
    expect(log).toEqual(['batch a', 'batch b', 'checkpoint', 'batch c']);
  });

  it('caps a batch at 4096 entries', async () => {
    const { log, queue } = recorder();
    await Promise.all(Array.from({ length: 5000 }, (_, i) => queue.entry(String(i), 'd')));
    expect(log.map((entry) => entry.split(',').length)).toEqual([4096, 904]);
  });

  it("asks the worker's room before each batch, and hands over at least one entry", async () => {
    const { log, queue } = recorder({ rooms: [3, 0, 2] });
    await Promise.all(Array.from({ length: 10 }, (_, i) => queue.entry(String(i), 'd')));
    expect(log).toEqual(['batch 0,1,2', 'batch 3', 'batch 4,5', 'batch 6,7,8,9']);
  });

  it('rejects the callers of a batch whose worker throws, and goes on', async () => {
    const { log, queue } = recorder({ failOn: 'b' });
    const a = queue.entry('a', 'd1');
    const b = queue.entry('b', 'd2');
    const c = queue.control('sync');
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('worker broke');
    await expect(c).resolves.toBe('sync');
    expect(log).toEqual(['batch a', 'batch b', 'sync']);
  });
});
