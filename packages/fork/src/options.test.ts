import { describe, expect, it } from 'vitest';
import { recordParent, rejection, tripAgent } from './__tests__/trip.js';
import { type ForkError, type ForkOptions, forkRun, type Intervention } from './index.js';

/** The draws of a tape, as kind and value. */
async function drawsOf(store: Awaited<ReturnType<typeof recordParent>>['store'], id: string) {
  return (await store.load(id)).events.flatMap((e) =>
    e.type === 'draw' ? [{ kind: e.kind, value: e.value }] : [],
  );
}

describe('refused before anything runs', () => {
  const points: [string, unknown][] = [
    ['an exchange past the last', { exchange: 4 }],
    ['a draw past the last', { draw: 1000 }],
    ['a negative position', { exchange: -1 }],
    ['a position that is no integer', { draw: 1.5 }],
    ['both kinds at once', { exchange: 0, draw: 0 }],
    ['an unknown kind', { step: 0 }],
    ['no object', 2],
  ];
  it.each(points)('FORK_INVALID_POINT: %s', async (_name, at) => {
    const { server, store } = await recordParent();
    const before = { requests: server.requests.length, tapes: (await store.list()).length };
    const error = await rejection(
      forkRun(
        { store, parent: 'trip', at: at as ForkOptions['at'], intervene: { kind: 'resample' } },
        tripAgent(server.anthropicBaseURL),
      ),
    );
    expect((error as ForkError).code).toBe('FORK_INVALID_POINT');
    expect((error as Error).message).toMatch(/exchange|draw/);
    expect(server.requests.length).toBe(before.requests);
    expect((await store.list()).length).toBe(before.tapes);
  });

  const interventions: [string, 'exchange' | 'draw', unknown, RegExp][] = [
    ['a draw value at an exchange', 'exchange', { kind: 'draw', value: 1 }, /only replace a draw/],
    ['a message at a draw', 'draw', { kind: 'message', text: 'x' }, /only replace an exchange/],
    ['bytes at a draw', 'draw', { kind: 'bytes', bytes: 'x' }, /only replace an exchange/],
    ['a message with nothing in it', 'exchange', { kind: 'message' }, /text, toolCalls/],
    [
      'a tool call without a name',
      'exchange',
      { kind: 'message', toolCalls: [{ input: {} }] },
      /toolCalls\[0\]\.name/,
    ],
    [
      'a tool call whose input is no object',
      'exchange',
      { kind: 'message', toolCalls: [{ name: 't', input: [1] }] },
      /toolCalls\[0\]\.input/,
    ],
    ['bytes that are a number', 'exchange', { kind: 'bytes', bytes: 7 }, /Uint8Array or a string/],
    ['a status out of range', 'exchange', { kind: 'json', value: {}, status: 99 }, /HTTP status/],
    ['JSON that is not', 'exchange', { kind: 'json', value: { n: 10n } }, /not JSON/],
    ['an unknown kind', 'exchange', { kind: 'swap' }, /'bytes', 'json', 'message'/],
    ['no intervention', 'exchange', undefined, /intervene\.kind/],
  ];
  it.each(interventions)('FORK_INVALID_INTERVENTION: %s', async (_name, kind, intervene, says) => {
    const { server, store } = await recordParent();
    const before = { requests: server.requests.length, tapes: (await store.list()).length };
    const error = await rejection(
      forkRun(
        {
          store,
          parent: 'trip',
          at: kind === 'exchange' ? { exchange: 1 } : { draw: 0 },
          intervene: intervene as Intervention,
        },
        tripAgent(server.anthropicBaseURL),
      ),
    );
    expect((error as ForkError).code).toBe('FORK_INVALID_INTERVENTION');
    expect((error as Error).message).toMatch(says);
    expect(server.requests.length).toBe(before.requests);
    expect((await store.list()).length).toBe(before.tapes);
  });

  it('FORK_INVALID_INTERVENTION: a draw value of the wrong kind for the draw', async () => {
    const { server, store } = await recordParent();
    const draws = await drawsOf(store, 'trip');
    const cases: [string, unknown][] = [
      ['random.int', 'Oslo'],
      ['uuid.v4', 42],
      ['clock.wall', 1.5],
      ['uuid.v4', 'not-a-uuid'],
    ];
    for (const [kind, value] of cases) {
      const index = draws.findIndex((d) => d.kind === kind);
      expect(index).toBeGreaterThanOrEqual(0);
      const error = await rejection(
        forkRun(
          { store, parent: 'trip', at: { draw: index }, intervene: { kind: 'draw', value } },
          tripAgent(server.anthropicBaseURL),
        ),
      );
      expect((error as ForkError).code).toBe('FORK_INVALID_INTERVENTION');
      expect((error as Error).message).toContain(kind);
    }
  });
});

describe('seeded tail draws', () => {
  it('equal seeds draw the same tail; another seed another', async () => {
    const { server, store } = await recordParent();
    const agent = tripAgent(server.anthropicBaseURL);
    const fork = (seed: number, id: string) =>
      forkRun(
        {
          store,
          parent: 'trip',
          id,
          at: { exchange: 1 },
          intervene: { kind: 'resample' },
          tail: { draws: { seed } },
        },
        agent,
      );
    const a = await fork(7, 'seed-7a');
    const b = await fork(7, 'seed-7b');
    const c = await fork(8, 'seed-8');
    expect(a.report.tail.draws).toBeGreaterThan(0);
    // Clock, ids and randomness come from the seed; a named source (the weather tool) still
    // calls its function, as it would live.
    const tail = async (run: typeof a) =>
      (await drawsOf(store, run.branch.id))
        .slice(run.report.prefix.draws)
        .filter((d) => !d.kind.startsWith('source:'));
    expect(await tail(b)).toEqual(await tail(a));
    expect(await tail(c)).not.toEqual(await tail(a));
    // Drawn the same, the tail picks the same city for the second day.
    expect(b.value.days[1]!.city).toBe(a.value.days[1]!.city);
    // The prefix is the parent's whatever the seed.
    const parent = await drawsOf(store, 'trip');
    for (const run of [a, b, c])
      expect((await drawsOf(store, run.branch.id)).slice(0, run.report.prefix.draws)).toEqual(
        parent.slice(0, run.report.prefix.draws),
      );
  });
});
