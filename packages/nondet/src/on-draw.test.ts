import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyStep, runScripted, ScriptedSource } from './__tests__/program.js';
import { type DrawRecord, NondetError, recording, seeded } from './index.js';

/** A recording whose `onDraw` collects what it is given, with the index it came with. */
function listened(inner = seeded({ seed: 7 })) {
  const heard: { record: DrawRecord; index: number }[] = [];
  const rec = recording(inner, { onDraw: (record, index) => heard.push({ record, index }) });
  return { rec, heard };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('recording({ onDraw })', () => {
  it('hands over every draw once, in log order, with its index: the same records log() gives', () => {
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 40 }), (steps) => {
        const inner = new ScriptedSource();
        const { rec, heard } = listened(inner);
        runScripted(inner, rec, steps);
        expect(heard.map((h) => h.index)).toEqual(steps.map((_, i) => i));
        expect(JSON.stringify(heard.map((h) => h.record))).toBe(JSON.stringify(rec.log()));
      }),
      { numRuns: 100 },
    );
  });

  it('holds back the draws taken after a drawAsync until it settles, then hands them over in order', async () => {
    const { rec, heard } = listened();
    const slow = deferred<string>();
    const first = rec.drawAsync('tool', () => slow.promise);
    rec.int(1, 6);
    rec.stream('side').float();
    expect(heard).toEqual([]);
    slow.resolve('done');
    expect(await first).toBe('done');
    expect(heard.map((h) => [h.index, h.record.kind, h.record.stream])).toEqual([
      [0, 'source:tool', undefined],
      [1, 'random.int', undefined],
      [2, 'random.float', 'side'],
    ]);
  });

  it('hands over a failed source draw in its place, as the failure it logs', async () => {
    const { rec, heard } = listened();
    const slow = deferred<string>();
    const first = rec.drawAsync('tool', () => slow.promise);
    rec.now();
    slow.reject(new RangeError('tool down'));
    await expect(first).rejects.toThrow('tool down');
    expect(heard.map((h) => h.record)).toEqual(rec.log());
    expect(heard[0]!.record).toEqual({
      kind: 'source.failed:tool',
      value: { name: 'RangeError', message: 'tool down' },
    });
  });

  it('gives copies: a listener that changes what it got leaves the log as it was', () => {
    const rec = recording(seeded({ seed: 1 }), {
      onDraw: (record) => {
        (record as { value: unknown }).value = 'changed';
      },
    });
    rec.draw('config', () => ({ retries: 3 }));
    rec.int(1, 6);
    const unheard = recording(seeded({ seed: 1 }));
    unheard.draw('config', () => ({ retries: 3 }));
    unheard.int(1, 6);
    expect(rec.log()).toEqual(unheard.log());
    expect(rec.log()[0]!.value).toEqual({ retries: 3 });
  });

  it("lets a listener's error reach the code that drew, keeps the draw in the log, and goes on from the next one", () => {
    let calls = 0;
    const rec = recording(seeded({ seed: 3 }), {
      onDraw: (_record, index) => {
        calls++;
        if (index === 1) throw new Error('disk full');
      },
    });
    rec.float();
    expect(() => rec.float()).toThrow('disk full');
    rec.float();
    expect(rec.log()).toHaveLength(3);
    expect(calls).toBe(3);
  });

  it('refuses an onDraw that is not a function, with a typed error', () => {
    for (const options of [null, 'append', { onDraw: 'append' }]) {
      expect(() => recording(seeded({ seed: 1 }), options as never)).toThrow(
        expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }),
      );
    }
    expect(() => recording(seeded({ seed: 1 }), { onDraw: 'append' as never })).toThrow(
      expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }),
    );
    try {
      recording(seeded({ seed: 1 }), { onDraw: 42 as never });
    } catch (error) {
      expect(NondetError.isInstance(error)).toBe(true);
    }
  });
});
