import fc from 'fast-check';
import { expect, it } from 'vitest';
import { appendBatch, liveBatch } from './live.js';
import type { ReportEvent, ReportExchange } from './report-data.js';

/** Every body an event refers to, resolved to its text. */
function resolved(events: readonly ReportEvent[], bodies: readonly string[]): unknown[] {
  return events.map((e) => {
    if (e.type !== 'exchange') return e.seq;
    const b = e.response?.body;
    return [
      e.seq,
      e.request.body === null ? null : bodies[e.request.body],
      b?.kind === 'bytes'
        ? bodies[b.body]
        : b?.kind === 'stream'
          ? b.chunks.map((c) => bodies[c.body])
          : null,
    ];
  });
}

const exchange = (seq: number, refs: number[], streamed: boolean): ReportExchange => ({
  seq,
  t: seq,
  type: 'exchange',
  step: seq,
  provider: 'other',
  method: 'POST',
  url: 'http://127.0.0.1/',
  streamed,
  request: { headers: [], body: refs[0] ?? null },
  response: {
    headers: [],
    body: streamed
      ? {
          kind: 'stream',
          chunks: refs.slice(1).map((body, i) => ({ offsetMs: i, body })),
          end: { kind: 'complete' },
        }
      : { kind: 'bytes', body: refs[1] ?? 0 },
  },
});

it('a live batch carries exactly the bodies its events use, and appends to the page as they were (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string(), { minLength: 1, maxLength: 12 }),
      fc.array(fc.tuple(fc.array(fc.nat(), { minLength: 2, maxLength: 4 }), fc.boolean()), {
        minLength: 1,
        maxLength: 10,
      }),
      fc.nat(),
      (bodies, shapes, cut) => {
        const table = bodies.map((b) => `t:${b}`);
        const events = shapes.map(([refs, streamed], seq) =>
          exchange(
            seq,
            refs.map((r) => r % table.length),
            streamed,
          ),
        );
        const at = cut % (events.length + 1);
        const page = liveBatch(events.slice(0, at), table);
        const batch = liveBatch(events.slice(at), table);
        // One entry per distinct body the batch's events refer to, none more.
        const refs = new Set(
          events.slice(at).flatMap((e) => {
            const b = e.response?.body;
            return [
              e.request.body,
              ...(b?.kind === 'bytes'
                ? [b.body]
                : b?.kind === 'stream'
                  ? b.chunks.map((c) => c.body)
                  : []),
            ];
          }),
        );
        expect(batch.bodies.length).toBe(refs.size);
        const merged = appendBatch(page, batch);
        expect(resolved(merged.events, merged.bodies)).toEqual(resolved(events, table));
        // A batch sent twice adds nothing the page holds.
        const again = appendBatch(merged, batch);
        expect(again.events).toEqual(merged.events);
      },
    ),
  );
});
