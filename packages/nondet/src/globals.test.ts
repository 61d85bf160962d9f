import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentSource,
  type NondetSource,
  recording,
  replay,
  seeded,
  withGlobals,
} from './index.js';

/** Every property the scope patches, with its descriptor, to compare before and after. */
function snapshot(): Map<string, PropertyDescriptor | undefined> {
  const d = (target: object, key: string) => Object.getOwnPropertyDescriptor(target, key);
  return new Map([
    ['globalThis.Date', d(globalThis, 'Date')],
    ['Date.now', d(Date, 'now')],
    ['Math.random', d(Math, 'random')],
    ['crypto.randomUUID', d(globalThis.crypto, 'randomUUID')],
    ['crypto.getRandomValues', d(globalThis.crypto, 'getRandomValues')],
    ['performance.now', d(globalThis.performance, 'now')],
  ]);
}

/** What code that calls the platform directly reads. */
function readGlobals(): unknown[] {
  return [
    Date.now(),
    // biome-ignore lint/complexity/useDateNow: the constructor is what is under test
    new Date().getTime(),
    Date(),
    Math.random(),
    crypto.randomUUID(),
    Array.from(crypto.getRandomValues(new Uint16Array(3))),
    performance.now(),
  ];
}

describe('withGlobals', () => {
  it('serves every virtualized global from the source, in order', () => {
    const got = withGlobals(seeded({ seed: 9 }), readGlobals);
    const s = seeded({ seed: 9 });
    const expected = [
      s.now(),
      s.now(),
      new Date(s.now()).toString(),
      s.float(),
      s.uuidV4(),
      Array.from(new Uint16Array(s.bytes(6).buffer)),
      s.monotonic(),
    ];
    expect(got).toEqual(expected);
  });

  it('records a run that calls the platform directly, and replays it identically', async () => {
    const agent = async () => {
      const started = Date.now();
      await sleep(1);
      const id = crypto.randomUUID();
      const roll = Math.floor(Math.random() * 6) + 1;
      return { started, id, roll, at: new Date().toISOString(), t: performance.now() };
    };
    const rec = recording();
    const live = await withGlobals(rec, agent);
    const log = rec.log();
    expect(log.map((r) => r.kind)).toEqual([
      'clock.wall',
      'uuid.v4',
      'random.float',
      'clock.wall',
      'clock.monotonic',
    ]);
    const rep = replay(JSON.parse(JSON.stringify(log)));
    expect(await withGlobals(rep, agent)).toEqual(live);
    rep.assertConsumed();
  });

  it('leaves new Date(x), Date statics, instanceof and subclasses working', () => {
    withGlobals(seeded(), () => {
      expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z');
      expect(new Date(2020, 1, 3).getFullYear()).toBe(2020);
      expect(new Date('2021-05-06T00:00:00Z').getTime()).toBe(Date.UTC(2021, 4, 6));
      expect(Date.parse('1970-01-01T00:00:01Z')).toBe(1000);
      const now = new Date();
      expect(now.getTime()).toBe(Date.UTC(2000, 0, 1));
      expect(now).toBeInstanceOf(Date);
      expect(Object.prototype.toString.call(now)).toBe('[object Date]');
      class Stamp extends Date {}
      const stamp = new Stamp();
      expect(stamp).toBeInstanceOf(Stamp);
      expect(stamp).toBeInstanceOf(Date);
      expect(stamp.getTime()).toBe(Date.UTC(2000, 0, 1) + 1);
      expect(Date.name).toBe('Date');
      expect(Date.length).toBe(7);
    });
    const before = new Date(5);
    withGlobals(seeded(), () => expect(before).toBeInstanceOf(Date));
  });

  it('restores the globals exactly after it returns, throws, or rejects', async () => {
    const before = snapshot();
    withGlobals(seeded(), () => Math.random());
    expect(snapshot()).toEqual(before);
    expect(() =>
      withGlobals(seeded(), () => {
        throw new Error('sync failure');
      }),
    ).toThrow('sync failure');
    expect(snapshot()).toEqual(before);
    await expect(
      withGlobals(seeded(), async () => {
        await sleep(1);
        throw new Error('async failure');
      }),
    ).rejects.toThrow('async failure');
    expect(snapshot()).toEqual(before);
    // A result whose `then` getter throws: the scope still ends.
    expect(() =>
      withGlobals(seeded(), () => ({
        // biome-ignore lint/suspicious/noThenProperty: a result that looks like a thenable is what is under test
        get then(): never {
          throw new Error('then getter failed');
        },
      })),
    ).toThrow('then getter failed');
    expect(snapshot()).toEqual(before);
    expect(currentSource()).toBeUndefined();
    expect(Date.now()).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('nests: the innermost source serves, the outer one resumes after it, even when it throws', async () => {
    const before = snapshot();
    const outer = recording(seeded({ seed: 'outer' }));
    const inner = recording(seeded({ seed: 'inner' }));
    await withGlobals(outer, async () => {
      Math.random();
      expect(currentSource()).toBe(outer);
      await expect(
        withGlobals(inner, async () => {
          expect(currentSource()).toBe(inner);
          Math.random();
          await sleep(1);
          crypto.randomUUID();
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
      expect(currentSource()).toBe(outer);
      Date.now();
    });
    expect(outer.log().map((r) => r.kind)).toEqual(['random.float', 'clock.wall']);
    expect(inner.log().map((r) => r.kind)).toEqual(['random.float', 'uuid.v4']);
    expect(currentSource()).toBeUndefined();
    expect(snapshot()).toEqual(before);
  });

  it('is not visible to code outside the scope running concurrently', async () => {
    const before = snapshot();
    const rec = recording(seeded());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const scoped = withGlobals(rec, async () => {
      Date.now();
      await gate;
      return Math.random();
    });
    // The scope is open (the patches are installed) while this runs outside it.
    expect(snapshot()).not.toEqual(before);
    const outside = [
      Date.now(),
      Math.random(),
      crypto.randomUUID(),
      performance.now(),
      // biome-ignore lint/complexity/useDateNow: the constructor is what is under test
      new Date().getTime(),
    ];
    expect(outside[0]).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(outside[4]).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(currentSource()).toBeUndefined();
    release();
    await scoped;
    expect(rec.log().map((r) => r.kind)).toEqual(['clock.wall', 'random.float']);
  });

  it('keeps scopes apart under any interleaving of concurrent scoped and unscoped tasks', async () => {
    const before = snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 5 }),
        async (s, lengths) => {
          const sources = lengths.map((_, i) => recording(seeded({ seed: i })));
          const tasks = lengths.map((n, i) =>
            withGlobals(sources[i]!, async () => {
              const seen: number[] = [];
              for (let k = 0; k < n; k++) {
                await s.schedule(Promise.resolve());
                seen.push(Math.random());
              }
              return seen;
            }),
          );
          const unscoped = (async () => {
            const seen: number[] = [];
            for (let k = 0; k < 3; k++) {
              await s.schedule(Promise.resolve());
              seen.push(Date.now());
            }
            return seen;
          })();
          const results = await s.waitFor(Promise.all(tasks));
          await s.waitFor(unscoped);
          results.forEach((seen, i) => {
            const alone = seeded({ seed: i });
            expect(seen).toEqual(seen.map(() => alone.float()));
            expect(sources[i]!.log()).toHaveLength(lengths[i]!);
          });
          for (const t of await unscoped) expect(t).toBeGreaterThan(Date.UTC(2020, 0, 1));
        },
      ),
      { numRuns: 40 },
    );
    expect(currentSource()).toBeUndefined();
    expect(snapshot()).toEqual(before);
  });

  it('a callback that outlives its scope never draws from it, whatever other scopes are open', async () => {
    const before = snapshot();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const finished = recording(seeded({ seed: 'finished' }));
    // A callback registered inside a scope that then ends (a keep-alive timer, a pooled socket).
    let late!: Promise<[number, NondetSource | undefined]>;
    withGlobals(finished, () => {
      late = gate.then(() => [Date.now(), currentSource()]);
    });
    // It runs while another, unrelated scope is open.
    const other = recording(seeded({ seed: 'other' }));
    const [t, seenSource] = await withGlobals(other, async () => {
      release();
      return late;
    });
    expect(t).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(seenSource).toBeUndefined();
    expect(finished.log()).toEqual([]);
    expect(other.log()).toEqual([]);

    // Nested: a callback that outlives an inner scope is served by the outer scope still open.
    const outer = recording(seeded({ seed: 'outer' }));
    const inner = recording(seeded({ seed: 'inner' }));
    await withGlobals(outer, async () => {
      let releaseInner!: () => void;
      const innerGate = new Promise<void>((resolve) => (releaseInner = resolve));
      let fromInner!: Promise<NondetSource | undefined>;
      withGlobals(inner, () => {
        fromInner = innerGate.then(() => {
          Math.random();
          return currentSource();
        });
      });
      releaseInner();
      expect(await fromInner).toBe(outer);
    });
    expect(outer.log().map((r) => r.kind)).toEqual(['random.float']);
    expect(inner.log()).toEqual([]);
    expect(snapshot()).toEqual(before);
  });

  it('code that kept a reference to the original Date constructor is served inside a scope', () => {
    const KeptDate = Date;
    const got = withGlobals(seeded({ stepMs: 0 }), () => [KeptDate.now(), Date.now()]);
    expect(got).toEqual([Date.UTC(2000, 0, 1), Date.UTC(2000, 0, 1)]);
    expect(KeptDate.now()).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('a source that itself reads the globals gets the platform, not itself', () => {
    const base = seeded();
    const selfReading = Object.assign(Object.create(Object.getPrototypeOf(base)), base, {
      now: () => Date.now() + 1,
    }) as NondetSource;
    const t = withGlobals(selfReading, () => Date.now());
    expect(t).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it('getRandomValues refuses what the platform refuses, the same way', () => {
    withGlobals(seeded(), () => {
      expect(() => crypto.getRandomValues(new Float64Array(2) as never)).toThrow();
      expect(() => crypto.getRandomValues(new Uint8Array(65_537))).toThrow(/65,?536|quota/i);
      const big = new BigUint64Array(2);
      expect(crypto.getRandomValues(big)).toBe(big);
      const view = new Uint8Array(new ArrayBuffer(8), 2, 4);
      crypto.getRandomValues(view);
      expect(new Uint8Array(view.buffer).subarray(0, 2)).toEqual(new Uint8Array(2));
    });
  });

  it('refuses a missing source or function with a typed error, patching nothing', () => {
    const before = snapshot();
    expect(() => withGlobals({} as never, () => 1)).toThrow(
      expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }),
    );
    expect(() => withGlobals(seeded(), 'x' as never)).toThrow(
      expect.objectContaining({ code: 'NONDET_INVALID_ARGUMENT' }),
    );
    expect(snapshot()).toEqual(before);
  });

  it('producers of named sources run outside the scope: they read the real platform', () => {
    const rec = recording(seeded());
    const seen = withGlobals(rec, () => rec.draw('clock-file', () => Date.now()));
    expect(seen).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(rec.log().map((r) => r.kind)).toEqual(['source:clock-file']);
  });
});
