import { runAgent } from '@trace/run';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CITIES, recordParent, rejection, tripAgent } from './__tests__/trip.js';
import { ForkError, forkRun, verifyBranch } from './index.js';

describe('forkRun on the example agent', () => {
  it('a replaced assistant text at exchange 1 changes the outcome; the prefix costs no call, the tail exactly its own', async () => {
    const { server, store, trip } = await recordParent();
    const before = server.requests.length;
    expect(before).toBe(4);
    const { value, report, branch } = await forkRun(
      {
        store,
        parent: 'trip',
        at: { exchange: 1 },
        intervene: { kind: 'message', text: 'Plan for Nowhere: stay in.' },
      },
      tripAgent(server.anthropicBaseURL),
    );
    expect(value.days[0]!.plan).toBe('Plan for Nowhere: stay in.');
    expect(value.days[0]!.accepted).toBe(false);
    // The tail ran on: its draws are live, so iteration 1 plans whatever city it drew.
    expect(value.days[1]!.plan).toContain(value.days[1]!.city);
    expect(trip.days[0]!.plan).not.toBe(value.days[0]!.plan);
    // Exchanges 2 and 3 (iteration 1) went to the server; 0 was served, 1 replaced.
    expect(server.requests.length - before).toBe(2);
    expect(report.prefix).toEqual({ exchanges: 1, draws: expect.any(Number) });
    expect(report.tail.live).toBe(2);
    expect(branch.parent).toBe('trip');
    expect((await verifyBranch(store, branch.id)).ok).toBe(true);

    // The branch replays offline, on its own, with the server stopped.
    await server.close();
    const replayed = await runAgent(
      { store, id: branch.id, mode: 'replay' },
      tripAgent(server.anthropicBaseURL),
    );
    expect(replayed.value).toEqual(value);
    expect(replayed.report.fingerprint).toBe(branch.fingerprint);
  });

  it('a replaced streamed answer is read by stream().finalMessage()', async () => {
    const { server, store, trip } = await recordParent();
    const before = server.requests.length;
    const { value, report } = await forkRun(
      {
        store,
        parent: 'trip',
        at: { exchange: 3 },
        intervene: { kind: 'message', text: `A long day in ${trip.days[1]!.city}, then tea.` },
      },
      tripAgent(server.anthropicBaseURL),
    );
    expect(value.days[1]!.plan).toBe(`A long day in ${trip.days[1]!.city}, then tea.`);
    expect(value.days[1]!.accepted).toBe(true);
    expect(value.days[0]).toEqual(trip.days[0]);
    expect(server.requests.length).toBe(before);
    expect(report.tail.live).toBe(0);
  });

  it('a replaced tool result (a named-source draw) changes the plan', async () => {
    const { server, store, trip } = await recordParent();
    const parent = await store.load('trip');
    const index = parent.events
      .filter((e) => e.type === 'draw')
      .findIndex((e) => e.type === 'draw' && e.kind.startsWith('source:tool:get_weather'));
    const city = trip.days[0]!.weather.city;
    const { value } = await forkRun(
      {
        store,
        parent: 'trip',
        at: { draw: index },
        intervene: { kind: 'draw', value: { city, tempC: 40, sky: 'sunny' } },
      },
      tripAgent(server.anthropicBaseURL),
    );
    expect(value.days[0]!.weather).toEqual({ city, tempC: 40, sky: 'sunny' });
    expect(value.days[0]!.plan).toContain('a walk along the river (40°C, sunny)');
  });

  it('a draw fork changes the random choice of city', async () => {
    const { server, store, trip } = await recordParent();
    const parent = await store.load('trip');
    const draws = parent.events.filter((e) => e.type === 'draw');
    const index = draws.findIndex((e) => e.type === 'draw' && e.kind === 'random.int');
    const other = (CITIES.indexOf(trip.days[0]!.city) + 1) % CITIES.length;
    const { value } = await forkRun(
      { store, parent: 'trip', at: { draw: index }, intervene: { kind: 'draw', value: other } },
      tripAgent(server.anthropicBaseURL),
    );
    expect(value.days[0]!.city).toBe(CITIES[other]);
    expect(value.days[0]!.plan).toContain(CITIES[other]);
  });

  it('a branch of a branch, and 20 concurrent forks of one parent', async () => {
    const { server, store } = await recordParent();
    const agent = tripAgent(server.anthropicBaseURL);
    const first = await forkRun(
      { store, parent: 'trip', at: { exchange: 3 }, intervene: { kind: 'message', text: 'one' } },
      agent,
    );
    const second = await forkRun(
      {
        store,
        parent: first.branch.id,
        at: { exchange: 1 },
        intervene: { kind: 'message', text: 'two' },
      },
      agent,
    );
    expect(second.value.days[0]!.plan).toBe('two');
    expect((await verifyBranch(store, second.branch.id)).ok).toBe(true);
    const before = server.requests.length;
    const forks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        forkRun(
          {
            store,
            parent: 'trip',
            at: { exchange: 3 },
            intervene: { kind: 'message', text: `plan ${i}` },
          },
          agent,
        ),
      ),
    );
    expect(forks.map((f) => f.value.days[1]!.plan)).toEqual(
      Array.from({ length: 20 }, (_, i) => `plan ${i}`),
    );
    expect(new Set(forks.map((f) => f.branch.id)).size).toBe(20);
    expect(server.requests.length).toBe(before);
  });

  it('a corrupted parent is refused', async () => {
    const { server, store, path } = await recordParent();
    store.close();
    // A byte in the middle of every pack of recorded bytes changed, as a disk or a hand would.
    const db = new Database(path);
    const packs = db.prepare('SELECT id, data FROM packs').all() as { id: number; data: Buffer }[];
    for (const { id, data } of packs) {
      const middle = data.length >> 1;
      data.writeUInt8(data.readUInt8(middle) ^ 0xff, middle);
      db.prepare('UPDATE packs SET data = ? WHERE id = ?').run(data, id);
    }
    db.close();
    expect(packs.length).toBeGreaterThan(0);
    const error = await rejection(
      forkRun(
        { path, parent: 'trip', at: { exchange: 1 }, intervene: { kind: 'resample' } },
        tripAgent(server.anthropicBaseURL),
      ),
    );
    expect((error as ForkError).code).toBe('FORK_PARENT_DAMAGED');
  });

  it('a drift before the fork point fails before any live call', async () => {
    const { server, store } = await recordParent();
    const before = server.requests.length;
    const changed = tripAgent(server.anthropicBaseURL, 2, (s) => {
      // The agent's run id now comes out in capitals: its system prompt changes.
      return new Proxy(s, {
        get: (t, p, r) => (p === 'uuidV4' ? () => t.uuidV4().toUpperCase() : Reflect.get(t, p, r)),
      });
    });
    const error = await rejection(
      forkRun(
        { store, parent: 'trip', at: { exchange: 2 }, intervene: { kind: 'resample' } },
        changed,
      ),
    );
    expect(ForkError.isInstance(error)).toBe(true);
    expect((error as ForkError).code).toBe('FORK_DRIFT');
    expect((error as ForkError).details.step).toEqual({ exchange: 0 });
    expect((error as ForkError).details.path).toBe('system');
    expect(server.requests.length).toBe(before);
  });
});
