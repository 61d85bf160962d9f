import { replay } from '@trace/nondet';
import { runAgent } from '@trace/run';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { recordParent, tripAgent } from './__tests__/trip.js';
import { type ForkPoint, forkRun, verifyBranch } from './index.js';

it('at any step, a resample whose tail answers and draws as the parent did costs nothing before the fork point and replays to the same value', async () => {
  const { server, store, trip } = await recordParent();
  const agent = tripAgent(server.anthropicBaseURL);
  const { events } = await store.load('trip');
  const draws = events.flatMap((e, seq) =>
    e.type === 'draw' ? [{ seq, record: { kind: e.kind, value: e.value } }] : [],
  );
  const exchanges = events.flatMap((e, seq) => (e.type === 'exchange' ? [seq] : []));
  const point = fc.oneof(
    fc.integer({ min: 0, max: exchanges.length - 1 }).map((exchange) => ({ exchange })),
    fc.integer({ min: 0, max: draws.length - 1 }).map((draw) => ({ draw })),
  );

  await fc.assert(
    fc.asyncProperty(point, async (at: ForkPoint) => {
      // Where the fork point cuts the parent's tape: steps before it are the prefix.
      const cut = 'exchange' in at ? exchanges[at.exchange]! : draws[at.draw]!.seq;
      const prefixExchanges = exchanges.filter((seq) => seq < cut).length;
      const prefixDraws = draws.filter((d) => d.seq < cut).length;
      const before = server.requests.length;
      const { value, report, branch } = await forkRun(
        {
          store,
          parent: 'trip',
          at,
          intervene: { kind: 'resample' },
          // The tail draws what the parent drew from the fork point on; the server answers alike.
          tail: { draws: replay(draws.slice(prefixDraws).map((d) => d.record)) },
        },
        agent,
      );
      expect(value).toEqual(trip);
      expect(report.prefix).toEqual({ exchanges: prefixExchanges, draws: prefixDraws });
      expect(server.requests.length - before).toBe(exchanges.length - prefixExchanges);
      expect(report.tail.live).toBe(exchanges.length - prefixExchanges);
      expect((await verifyBranch(store, branch.id)).ok).toBe(true);
      const replayed = await runAgent({ store, id: branch.id, mode: 'replay' }, agent);
      expect(replayed.value).toEqual(value);
      expect(server.requests.length - before).toBe(exchanges.length - prefixExchanges);
    }),
    { numRuns: 15 },
  );
});
