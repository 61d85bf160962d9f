/**
 * The timeline: every event in order with its time on the run's axis, filters by kind, a search
 * box, and blame badges on the steps blame measured.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ReportBlameStep } from '../shared/report-data.js';
import {
  formatMs,
  ITEM_KINDS,
  type ItemKind,
  itemLabel,
  type TimelineItem,
} from '../shared/timeline.js';

export interface TimelineProps {
  items: readonly TimelineItem[];
  total: number;
  span: number;
  basis: 'clock' | 'durations';
  kinds: ReadonlySet<ItemKind>;
  counts: Readonly<Record<ItemKind, number>>;
  query: string;
  selected: string | undefined;
  blame: ReadonlyMap<number, { step: ReportBlameStep; rank: number }>;
  parted: ReadonlySet<number>;
  onKinds: (kinds: Set<ItemKind>) => void;
  onQuery: (query: string) => void;
  onSelect: (key: string) => void;
}

function rowFacts(item: TimelineItem): string {
  if (item.kind === 'audit') return item.entry.ts.slice(11, 23);
  const e = item.event;
  if (e.type !== 'exchange')
    return e.type === 'draw' && e.stream !== undefined ? `stream ${e.stream}` : '';
  const facts = [e.provider, e.error === undefined ? String(e.status) : e.error.name];
  if (e.durationMs !== undefined) facts.push(formatMs(e.durationMs));
  if (e.tokens !== undefined) facts.push(`${e.tokens.input ?? '?'}→${e.tokens.output ?? '?'} tok`);
  if (e.streamed) facts.push('streamed');
  return facts.join(' · ');
}

export function Timeline(p: TimelineProps) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const row = list.current?.querySelector<HTMLElement>('[aria-current="true"]');
    row?.scrollIntoView({ block: 'nearest' });
  }, [p.selected]);
  const span = p.span > 0 ? p.span : 1;
  return (
    <section class="timeline" aria-label="Timeline">
      <div class="controls">
        <input
          type="search"
          placeholder="Search events and bodies"
          aria-label="Search events"
          value={p.query}
          onInput={(e) => p.onQuery((e.target as HTMLInputElement).value)}
        />
        <fieldset class="kinds">
          <legend class="sr-only">Show kinds</legend>
          {ITEM_KINDS.filter((k) => p.counts[k] > 0).map((kind) => (
            <label key={kind}>
              <input
                type="checkbox"
                name={`kind-${kind}`}
                aria-label={`Show ${kind} events`}
                checked={p.kinds.has(kind)}
                onChange={(e) => {
                  const next = new Set(p.kinds);
                  if ((e.target as HTMLInputElement).checked) next.add(kind);
                  else next.delete(kind);
                  p.onKinds(next);
                }}
              />{' '}
              {kind} <span class="muted">{p.counts[kind]}</span>
            </label>
          ))}
        </fieldset>
        <p class="muted count" aria-live="polite">
          {p.items.length} of {p.total} shown · j/k or ↓/↑ to move
        </p>
      </div>
      <div class="axis" aria-hidden="true">
        <span>0</span>
        <span>{formatMs(span / 2)}</span>
        <span>
          {formatMs(span)} {p.basis === 'durations' ? '(durations laid end to end)' : ''}
        </span>
      </div>
      <ol class="rows" ref={list} aria-label="Events">
        {p.items.map((item) => {
          const seq = item.kind === 'audit' ? undefined : item.event.seq;
          const blame = seq === undefined ? undefined : p.blame.get(seq);
          const d =
            item.kind !== 'audit' && item.event.type === 'exchange'
              ? (item.event.durationMs ?? 0)
              : 0;
          const label = itemLabel(item);
          const current = p.selected === item.key;
          return (
            <li
              key={item.key}
              class={`row kind-${item.kind}${current ? ' selected' : ''}${seq !== undefined && p.parted.has(seq) ? ' parted' : ''}`}
            >
              <button
                type="button"
                class="row-button"
                data-key={item.key}
                aria-current={current ? 'true' : undefined}
                aria-label={`${item.kind === 'audit' ? `audit entry ${item.entry.seq}` : `seq ${seq}`}: ${label}`}
                onClick={() => p.onSelect(item.key)}
              >
                <span class="seq">{item.kind === 'audit' ? `a${item.entry.seq}` : seq}</span>
                <span class={`kind-badge ${item.kind}`}>{item.kind}</span>
                <span class="label">{label}</span>
                <span class="row-facts muted">{rowFacts(item)}</span>
                {blame === undefined ? null : (
                  <span
                    class={`blame-badge${blame.step.responsible ? ' responsible' : ''}${blame.step.trustworthy ? '' : ' untrustworthy'}`}
                    title={`blame rank ${blame.rank}, flip rate ${(blame.step.flipRate * 100).toFixed(0)}%`}
                  >
                    #{blame.rank} {(blame.step.flipRate * 100).toFixed(0)}%
                    {blame.step.trustworthy ? '' : ' ?'}
                  </span>
                )}
                <span class="when" aria-hidden="true">
                  {item.t === undefined ? null : (
                    <span
                      class="mark"
                      style={{
                        left: `${(item.t / span) * 100}%`,
                        width: `max(2px, ${(d / span) * 100}%)`,
                      }}
                    />
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
