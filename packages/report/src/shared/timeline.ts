/**
 * The timeline as the page lists it: the run's events in tape order with the audit log's entries
 * placed among them by time, each with a label, a kind to filter by and text to search; and the
 * small maps the page needs between steps, sequence numbers and blame.
 */
import { bodyText } from './bodies.js';
import type {
  Json,
  ReportAuditEntry,
  ReportBlame,
  ReportBlameStep,
  ReportData,
  ReportEvent,
} from './report-data.js';

export type ItemKind = 'exchange' | 'draw' | 'annotation' | 'audit';
export const ITEM_KINDS: readonly ItemKind[] = ['exchange', 'draw', 'annotation', 'audit'];

export type TimelineItem =
  | {
      readonly kind: 'exchange' | 'draw' | 'annotation';
      readonly key: string;
      readonly t: number;
      readonly event: ReportEvent;
    }
  | {
      readonly kind: 'audit';
      readonly key: string;
      readonly t: number | undefined;
      readonly entry: ReportAuditEntry;
    };

/** The key of a tape event's item (`seq=12`) and of an audit entry's (`audit=3`): also its deep link. */
export const eventKey = (seq: number) => `seq=${seq}`;
export const auditKey = (seq: number) => `audit=${seq}`;

/**
 * Tape events in tape order, with each audit entry that has a time placed after the last event
 * at or before that time (entries without a time go at the end, in log order).
 */
export function timelineItems(
  events: readonly ReportEvent[],
  audit: readonly ReportAuditEntry[] = [],
): TimelineItem[] {
  const items: TimelineItem[] = [];
  const timed = audit.filter((e) => e.t !== undefined);
  const untimed = audit.filter((e) => e.t === undefined);
  let a = 0;
  for (const event of events) {
    while (a < timed.length && (timed[a]!.t as number) < event.t) {
      items.push({ kind: 'audit', key: auditKey(timed[a]!.seq), t: timed[a]!.t, entry: timed[a]! });
      a++;
    }
    items.push({ kind: event.type, key: eventKey(event.seq), t: event.t, event });
  }
  for (const entry of [...timed.slice(a), ...untimed])
    items.push({ kind: 'audit', key: auditKey(entry.seq), t: entry.t, entry });
  return items;
}

/** The short text of an item's row. */
export function itemLabel(item: TimelineItem): string {
  if (item.kind === 'audit') {
    const p = item.entry.payload;
    const o = (typeof p === 'object' && p !== null && !Array.isArray(p) ? p : {}) as {
      readonly [k: string]: Json;
    };
    const parts = [o.phase, o.verdict, o.tool, o.purpose, o.action, o.status].filter(
      (v) => typeof v === 'string' || typeof v === 'number',
    );
    return `${item.entry.type}${o.iteration === undefined ? '' : ` #${String(o.iteration)}`}${parts.length === 0 ? '' : ` ${parts.join(' · ')}`}`;
  }
  const e = item.event;
  if (e.type === 'exchange') {
    let path = e.url;
    try {
      path = new URL(e.url).pathname;
    } catch {
      // Keep the URL whole.
    }
    return `${e.method} ${path}${e.model === undefined ? '' : ` (${e.model})`}`;
  }
  if (e.type === 'draw') return `${e.kind} = ${short(JSON.stringify(e.value))}`;
  return `annotation ${short(JSON.stringify(e.data))}`;
}

function short(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Everything an item can be found by, lower-cased: its label, and for an exchange its bodies' text. */
export function searchText(item: TimelineItem, bodies: readonly string[]): string {
  const parts = [itemLabel(item)];
  if (item.kind === 'audit') parts.push(JSON.stringify(item.entry.payload));
  else if (item.event.type === 'exchange') {
    const e = item.event;
    parts.push(
      e.provider,
      String(e.status ?? ''),
      e.error?.message ?? '',
      bodyText(bodies, e.request.body) ?? '',
    );
    const body = e.response?.body;
    if (body?.kind === 'bytes') parts.push(bodyText(bodies, body.body) ?? '');
    else if (body?.kind === 'stream')
      for (const c of body.chunks) parts.push(bodyText(bodies, c.body) ?? '');
  } else if (item.event.type === 'draw')
    parts.push(JSON.stringify(item.event.value), item.event.stream ?? '');
  else parts.push(JSON.stringify(item.event.data));
  return parts.join('\n').toLowerCase();
}

/** The items shown: of a kind not filtered out, and containing every word of the query. */
export function visibleItems(
  items: readonly TimelineItem[],
  kinds: ReadonlySet<ItemKind>,
  query: string,
  textOf: (item: TimelineItem) => string,
): TimelineItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter(
    (item) =>
      kinds.has(item.kind) && (words.length === 0 || words.every((w) => textOf(item).includes(w))),
  );
}

/** The item after (`+1`) or before (`-1`) the selected one among `visible`; the first when none is selected. */
export function stepSelection(
  visible: readonly TimelineItem[],
  selected: string | undefined,
  delta: 1 | -1,
): string | undefined {
  if (visible.length === 0) return undefined;
  const at = visible.findIndex((i) => i.key === selected);
  if (at === -1) return visible[delta === 1 ? 0 : visible.length - 1]!.key;
  return visible[Math.min(visible.length - 1, Math.max(0, at + delta))]!.key;
}

/** The item key a location hash names (`#seq=12`, `#audit=3`), or undefined. */
export function keyFromHash(hash: string): string | undefined {
  const m = hash.replace(/^#/, '').match(/^(seq|audit)=(\d+)$/);
  return m === null ? undefined : `${m[1]}=${Number(m[2])}`;
}

/** The seq of the run's event at a fork step (`{ exchange: n }` by issue position, `{ draw: n }`). */
export function seqOfStep(
  events: readonly ReportEvent[],
  step: { exchange: number } | { draw: number },
): number | undefined {
  const found = events.find((e) =>
    'exchange' in step
      ? e.type === 'exchange' && e.step === step.exchange
      : e.type === 'draw' && e.step === step.draw,
  );
  return found?.seq;
}

/** Blame's steps by the seq of their event, with each step's rank (1 = highest flip rate). */
export function blameBySeq(
  blame: ReportBlame | undefined,
): Map<number, { step: ReportBlameStep; rank: number }> {
  const out = new Map<number, { step: ReportBlameStep; rank: number }>();
  if (blame === undefined) return out;
  blame.ranking.forEach((index, rank) => {
    const step = blame.steps[index];
    if (step !== undefined) out.set(step.seq, { step, rank: rank + 1 });
  });
  return out;
}

/** The length of the time axis: the latest end of any event. */
export function timeSpan(
  data: Pick<ReportData, 'events'>,
  audit: readonly ReportAuditEntry[] = [],
): number {
  let end = 0;
  for (const e of data.events)
    end = Math.max(end, e.t + (e.type === 'exchange' ? (e.durationMs ?? 0) : 0));
  for (const a of audit) end = Math.max(end, a.t ?? 0);
  return end;
}

/** A duration as people read it: 840 ms, 1.25 s, 2 min 5 s. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
