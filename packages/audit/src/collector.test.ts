import type { AuditEntry } from '@trace/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from './__tests__/helpers.js';
import { createCollector, openAuditLog } from './index.js';

const fake = (seq: number, type: string, session?: string): AuditEntry => ({
  v: 1,
  seq,
  ts: '2026-01-01T00:00:00.000Z',
  type,
  ...(session ? { session } : {}),
  payload: {},
  prev: '0'.repeat(64),
  hash: '0'.repeat(64),
});

describe('createCollector', () => {
  it('defaults to 5,000 entries and keeps only agent-loop types', () => {
    const collector = createCollector();
    expect(collector.capacity).toBe(5000);
    for (const type of [
      'phase',
      'verdict',
      'sampling',
      'tool_call',
      'decision',
      'note',
      'audit.repair',
    ])
      collector.listener(fake(1, type));
    expect(collector.entries().map((e) => e.type)).toEqual([
      'phase',
      'verdict',
      'sampling',
      'tool_call',
      'decision',
    ]);
  });

  it('property: behaves as a FIFO of the last `capacity` loop entries, counting evictions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.constantFrom('phase', 'note', 'verdict'), fc.constantFrom('a', 'b')), {
          maxLength: 80,
        }),
        (capacity, events) => {
          const collector = createCollector({ capacity });
          const model: AuditEntry[] = [];
          events.forEach(([type, session], i) => {
            const entry = fake(i + 1, type, session);
            collector.listener(entry);
            if (type !== 'note') model.push(entry);
          });
          const kept = model.slice(Math.max(0, model.length - capacity));
          expect(collector.entries()).toEqual(kept);
          expect(collector.size).toBe(kept.length);
          expect(collector.evicted).toBe(model.length - kept.length);
          expect(collector.forSession('a')).toEqual(kept.filter((e) => e.session === 'a'));
        },
      ),
    );
  });

  it('collects from a live log and can be cleared', async () => {
    const log = await openAuditLog(await tempDir(), { durability: 'none' });
    const collector = createCollector({ capacity: 2 });
    const detach = collector.attach(log);
    await log.toolCall(
      { tool: 'a', status: 'ok', durationMs: 1, fromScript: false },
      { session: 'x' },
    );
    await log.append('note', {});
    await log.toolCall({ tool: 'b', status: 'ok', durationMs: 1, fromScript: false });
    await log.toolCall({
      tool: 'c',
      status: 'failed',
      durationMs: 1,
      fromScript: true,
      error: 'e',
    });
    detach();
    await log.toolCall({ tool: 'd', status: 'ok', durationMs: 1, fromScript: false });
    await log.close();
    expect(collector.entries().map((e) => e.payload.tool)).toEqual(['b', 'c']);
    expect(collector.evicted).toBe(1);
    collector.clear();
    expect([collector.size, collector.evicted]).toEqual([0, 0]);
    expect(() => createCollector({ capacity: 0 })).toThrow(/capacity/);
  });
});
