import { describe, expect, it } from 'vitest';
import { describeTapeStoreConformance } from '../conformance/index.js';
import { openMemoryStore, type Tape } from '../index.js';

describeTapeStoreConformance('the memory store', { open: () => openMemoryStore() });

describe('openMemoryStore', () => {
  it('names itself in messages, by the name given or a fresh one', () => {
    expect(openMemoryStore({ name: 'memory:fixtures' }).location).toBe('memory:fixtures');
    const [a, b] = [openMemoryStore(), openMemoryStore()];
    expect(a.location).toMatch(/^memory:\d+$/);
    expect(a.location).not.toBe(b.location);
    const store = openMemoryStore({ name: 'memory:named' });
    expect(() => store.load('missing')).toThrow(/memory:named holds no tape with run id missing/);
  });

  it('answers synchronously, as its class says', () => {
    const store = openMemoryStore();
    const recorder = store.record({ id: 'sync' });
    const seq: number = recorder.append({ type: 'annotation', data: 1 });
    recorder.finish();
    expect(seq).toBe(0);
    const tape: Tape = store.load('sync');
    expect(tape.events).toHaveLength(1);
    expect(store.list()).toHaveLength(1);
  });
});
