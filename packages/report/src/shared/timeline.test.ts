import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReportAuditEntry, ReportEvent } from './report-data.js';
import {
  blameBySeq,
  ITEM_KINDS,
  keyFromHash,
  seqOfStep,
  stepSelection,
  timelineItems,
  visibleItems,
} from './timeline.js';

const eventsArb = fc.array(fc.nat({ max: 50 }), { maxLength: 30 }).map((gaps) => {
  let t = 0;
  return gaps.map((gap, seq): ReportEvent => {
    t += gap;
    return { seq, t, type: 'draw', step: seq, kind: 'clock.wall', value: t };
  });
});
const auditArb = fc
  .array(fc.option(fc.nat({ max: 1500 }), { nil: undefined }), { maxLength: 20 })
  .map((times) =>
    times.map(
      (t, i): ReportAuditEntry => ({
        seq: i + 1,
        ts: '2026-01-01T00:00:00.000Z',
        type: 'phase',
        payload: { iteration: 0, phase: 'propose' },
        ...(t === undefined ? {} : { t }),
      }),
    ),
  );

describe('timelineItems', () => {
  it('keeps every event in tape order and every audit entry in log order, timed entries by their time (property)', () => {
    fc.assert(
      fc.property(
        eventsArb,
        auditArb.map((a) => a.sort((x, y) => (x.t ?? Infinity) - (y.t ?? Infinity))),
        (events, audit) => {
          const items = timelineItems(events, audit);
          expect(items.length).toBe(events.length + audit.length);
          expect(items.filter((i) => i.kind !== 'audit').map((i) => i.key)).toEqual(
            events.map((e) => `seq=${e.seq}`),
          );
          // An audit entry with a time comes after every event that started before it, and before every later one.
          items.forEach((item, index) => {
            if (item.kind !== 'audit' || item.t === undefined) return;
            for (const earlier of items.slice(0, index))
              if (earlier.kind !== 'audit') expect(earlier.t).toBeLessThanOrEqual(item.t);
            for (const later of items.slice(index + 1))
              if (later.kind !== 'audit') expect(later.t).toBeGreaterThanOrEqual(item.t);
          });
        },
      ),
    );
  });
});

describe('visibleItems and stepSelection', () => {
  it('filters by kind and by every word of the query, in order (property)', () => {
    fc.assert(
      fc.property(
        eventsArb,
        auditArb,
        fc.subarray([...ITEM_KINDS]),
        fc.constantFrom('', 'phase', 'clock', 'propose clock'),
        (events, audit, kinds, query) => {
          const items = timelineItems(events, audit);
          const textOf = (i: (typeof items)[number]) =>
            i.kind === 'audit' ? 'phase propose' : 'clock.wall';
          const visible = visibleItems(items, new Set(kinds), query, textOf);
          const words = query.split(' ').filter(Boolean);
          expect(visible).toEqual(
            items.filter(
              (i) => kinds.includes(i.kind) && words.every((w) => textOf(i).includes(w)),
            ),
          );
        },
      ),
    );
  });

  it('moves one visible item at a time and stops at the ends (property)', () => {
    fc.assert(
      fc.property(
        eventsArb,
        fc.integer({ min: -1, max: 40 }),
        fc.constantFrom(1 as const, -1 as const),
        (events, at, delta) => {
          const items = timelineItems(events);
          const selected = items[at]?.key;
          const next = stepSelection(items, selected, delta);
          if (items.length === 0) {
            expect(next).toBeUndefined();
            return;
          }
          const from = items.findIndex((i) => i.key === selected);
          const expected =
            from === -1
              ? delta === 1
                ? 0
                : items.length - 1
              : Math.min(items.length - 1, Math.max(0, from + delta));
          expect(next).toBe(items[expected]!.key);
        },
      ),
    );
  });
});

it('reads deep links and nothing else', () => {
  expect(keyFromHash('#seq=12')).toBe('seq=12');
  expect(keyFromHash('#audit=003')).toBe('audit=3');
  expect(keyFromHash('#seq=-1')).toBeUndefined();
  expect(keyFromHash('#seq=1;x')).toBeUndefined();
  expect(keyFromHash('')).toBeUndefined();
});

it('finds the event of a fork step by issue position, and ranks blame by seq', () => {
  const events: ReportEvent[] = [
    { seq: 0, t: 0, type: 'draw', step: 0, kind: 'uuid.v4', value: 'x' },
    {
      seq: 1,
      t: 0,
      type: 'exchange',
      step: 1,
      provider: 'other',
      method: 'GET',
      url: 'http://a/',
      streamed: false,
      request: { headers: [], body: null },
    },
    {
      seq: 2,
      t: 0,
      type: 'exchange',
      step: 0,
      provider: 'other',
      method: 'GET',
      url: 'http://a/',
      streamed: false,
      request: { headers: [], body: null },
    },
  ];
  expect(seqOfStep(events, { exchange: 0 })).toBe(2);
  expect(seqOfStep(events, { draw: 0 })).toBe(0);
  expect(seqOfStep(events, { exchange: 5 })).toBeUndefined();
  const step = (seq: number, flipRate: number) => ({
    step: { exchange: 0 },
    seq,
    kind: 'exchange' as const,
    label: '',
    perturbation: 'resample',
    trials: 1,
    valid: 1,
    flips: 0,
    undefined: 0,
    flipRate,
    interval: { low: 0, high: 1 },
    pValue: 1,
    responsible: false,
    trustworthy: true,
  });
  const ranks = blameBySeq({
    version: 1,
    run: 'r',
    oracle: '',
    parentOutcome: true,
    method: 'wilson',
    confidence: 0.95,
    nullRate: 0.3,
    q: 0.1,
    steps: [step(1, 0.2), step(2, 0.9)],
    responsible: [],
    ranking: [1, 0],
    spend: { calls: 0, tokens: 0 },
    partial: false,
    createdAt: '',
  });
  expect(ranks.get(2)?.rank).toBe(1);
  expect(ranks.get(1)?.rank).toBe(2);
});
