/**
 * The report page: header, timeline, the selected item's detail, and a side panel of blame,
 * branches, audit and the run's facts. Selection follows the location hash (`#seq=12`), the
 * keyboard moves it (j/k, ↓/↑), and a run being recorded grows live from the viewer.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { appendBatch } from '../shared/live.js';
import type {
  LiveBatch,
  ReportAuditEntry,
  ReportData,
  ReportEvent,
} from '../shared/report-data.js';
import {
  blameBySeq,
  ITEM_KINDS,
  type ItemKind,
  keyFromHash,
  searchText,
  seqOfStep,
  stepSelection,
  type TimelineItem,
  timelineItems,
  timeSpan,
  visibleItems,
} from '../shared/timeline.js';
import { AuditStatus } from './audit-panel.js';
import { BlamePanel } from './blame-panel.js';
import { BranchesPanel, findBranch } from './branches-panel.js';
import { ExchangeDetail } from './exchange-detail.js';
import { JsonView } from './json-view.js';
import { Timeline } from './timeline.js';

type Side = 'blame' | 'branches' | 'audit' | 'run';

/** One empty list, so that a run without an audit log does not rebuild its timeline on every render. */
const NO_ENTRIES: readonly ReportAuditEntry[] = [];

function ItemDetail({
  item,
  bodies,
}: {
  item: TimelineItem | undefined;
  bodies: readonly string[];
}) {
  if (item === undefined)
    return <p class="muted placeholder">Select an event in the timeline (or press j).</p>;
  if (item.kind === 'audit') {
    const e = item.entry;
    return (
      <section class="detail" aria-label={`Audit entry ${e.seq}`}>
        <h2>
          audit · {e.type} <span class="muted">seq {e.seq}</span>
        </h2>
        <dl class="facts">
          <dt>time</dt>
          <dd>{e.ts}</dd>
          {e.session === undefined ? null : (
            <>
              <dt>session</dt>
              <dd>{e.session}</dd>
            </>
          )}
        </dl>
        <JsonView value={e.payload} label="Audit entry payload" open={3} />
      </section>
    );
  }
  const e = item.event;
  if (e.type === 'exchange') return <ExchangeDetail key={e.seq} event={e} bodies={bodies} />;
  if (e.type === 'draw')
    return (
      <section class="detail" aria-label={`Draw ${e.seq}`}>
        <h2>
          draw · {e.kind}{' '}
          <span class="muted">
            seq {e.seq} · draw {e.step}
            {e.stream === undefined ? '' : ` · stream ${e.stream}`}
          </span>
        </h2>
        <JsonView value={e.value} label="Drawn value" open={3} />
      </section>
    );
  return (
    <section class="detail" aria-label={`Annotation ${e.seq}`}>
      <h2>
        annotation <span class="muted">seq {e.seq}</span>
      </h2>
      <JsonView value={e.data} label="Annotation" open={3} />
    </section>
  );
}

export function App({ data }: { data: ReportData }) {
  const [run, setRun] = useState<{ events: readonly ReportEvent[]; bodies: readonly string[] }>({
    events: data.events,
    bodies: data.bodies,
  });
  const [complete, setComplete] = useState(data.run.complete);
  const [kinds, setKinds] = useState<Set<ItemKind>>(() => new Set(ITEM_KINDS));
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | undefined>(() => keyFromHash(location.hash));
  const [side, setSide] = useState<Side>(
    data.blame !== undefined
      ? 'blame'
      : data.branches?.length
        ? 'branches'
        : data.audit !== undefined
          ? 'audit'
          : 'run',
  );
  const [branch, setBranch] = useState<string | undefined>(undefined);

  const audit = data.audit?.entries ?? NO_ENTRIES;
  const items = useMemo(() => timelineItems(run.events, audit), [run.events, audit]);
  // Search text is built on first search, per item, and dropped when new bodies arrive.
  const texts = useMemo(() => new Map<string, string>(), [run.bodies]);
  const textOf = useCallback(
    (item: TimelineItem) => {
      let text = texts.get(item.key);
      if (text === undefined) {
        text = searchText(item, run.bodies);
        texts.set(item.key, text);
      }
      return text;
    },
    [texts, run.bodies],
  );
  const visible = useMemo(
    () => visibleItems(items, kinds, query, textOf),
    [items, kinds, query, textOf],
  );
  const counts = useMemo(() => {
    const c: Record<ItemKind, number> = { exchange: 0, draw: 0, annotation: 0, audit: 0 };
    for (const i of items) c[i.kind]++;
    return c;
  }, [items]);
  const blame = useMemo(() => blameBySeq(data.blame), [data.blame]);
  const span = useMemo(() => timeSpan({ events: run.events }, audit), [run.events, audit]);
  const chosenBranch =
    branch === undefined || data.branches === undefined
      ? undefined
      : findBranch(data.branches, branch);
  const parted = useMemo(() => {
    const out = new Set<number>();
    const at = chosenBranch?.parent === data.run.id ? chosenBranch.diff?.parted : undefined;
    const seq = at === undefined ? undefined : seqOfStep(run.events, at);
    if (seq !== undefined) out.add(seq);
    return out;
  }, [chosenBranch, run.events, data.run.id]);

  const select = useCallback((key: string | undefined) => {
    setSelected(key);
    if (key !== undefined) history.replaceState(null, '', `#${key}`);
  }, []);

  useEffect(() => {
    const onHash = () => setSelected(keyFromHash(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  // The key handler reads the latest list and selection through a ref: keys pressed faster than
  // effects re-run must not act on a stale selection.
  const latest = useRef({ visible, selected });
  latest.current = { visible, selected };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target !== null && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const delta =
        e.key === 'j' || e.key === 'ArrowDown' ? 1 : e.key === 'k' || e.key === 'ArrowUp' ? -1 : 0;
      if (delta === 0) return;
      e.preventDefault();
      const next = stepSelection(latest.current.visible, latest.current.selected, delta);
      latest.current = { ...latest.current, selected: next };
      select(next);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [select]);

  useEffect(() => {
    if (data.live === undefined || data.run.complete) return;
    const source = new EventSource(`${data.live.url}?after=${data.events.length}`);
    source.addEventListener('events', (e) => {
      const batch = JSON.parse((e as MessageEvent<string>).data) as LiveBatch;
      setRun((current) => appendBatch(current, batch));
    });
    const done = () => {
      setComplete(true);
      source.close();
    };
    source.addEventListener('complete', done);
    source.addEventListener('gone', done);
    return () => source.close();
  }, [data]);

  const item = items.find((i) => i.key === selected);
  const sides: [Side, string, boolean][] = [
    ['blame', 'Blame', data.blame !== undefined],
    [
      'branches',
      `Branches${data.branches === undefined ? '' : ` (${countBranches(data.branches)})`}`,
      true,
    ],
    ['audit', 'Audit', data.audit !== undefined],
    ['run', 'Run', true],
  ];
  return (
    <>
      <header class="top">
        <h1>{data.run.id}</h1>
        <span class={`state ${complete ? 'complete' : 'recording'}`} role="status">
          {complete ? 'complete' : 'recording…'}
        </span>
        <span class="muted">
          {run.events.length} events · fingerprint{' '}
          <code title={data.run.fingerprint}>{data.run.fingerprint.slice(0, 12)}</code> · recorded{' '}
          {data.run.createdAt}
        </span>
        {data.audit === undefined ? null : (
          <span class={`audit-pill ${data.audit.verification.ok ? 'good' : 'bad'}`}>
            audit: integrity {data.audit.verification.integrity.ok ? 'intact' : 'BROKEN'},
            completeness {data.audit.verification.completeness.ok ? 'proven' : 'NOT PROVEN'}
          </span>
        )}
      </header>
      <main class="grid">
        <Timeline
          items={visible}
          total={items.length}
          span={span}
          basis={data.time.basis}
          kinds={kinds}
          counts={counts}
          query={query}
          selected={selected}
          blame={blame}
          parted={parted}
          onKinds={setKinds}
          onQuery={setQuery}
          onSelect={select}
        />
        <div class="detail-pane">
          <ItemDetail item={item} bodies={run.bodies} />
        </div>
        <aside class="side">
          <div class="tabs" role="tablist" aria-label="Panels">
            {sides
              .filter(([, , shown]) => shown)
              .map(([id, label]) => (
                <button
                  key={id}
                  type="button"
                  role="tab"
                  aria-selected={side === id}
                  class={side === id ? 'on' : ''}
                  onClick={() => setSide(id)}
                >
                  {label}
                </button>
              ))}
          </div>
          <div role="tabpanel">
            {side === 'blame' && data.blame !== undefined ? (
              <BlamePanel blame={data.blame} onSelect={(seq) => select(`seq=${seq}`)} />
            ) : null}
            {side === 'branches' ? (
              <BranchesPanel
                runId={data.run.id}
                branches={data.branches}
                problem={data.branchesProblem}
                selected={branch}
                onSelect={setBranch}
                onShowStep={(step) => {
                  const seq = seqOfStep(run.events, step);
                  if (seq !== undefined) select(`seq=${seq}`);
                }}
              />
            ) : null}
            {side === 'audit' && data.audit !== undefined ? (
              <>
                <AuditStatus audit={data.audit} />
                <ol class="audit-entries" aria-label="Audit entries">
                  {data.audit.entries.map((e) => (
                    <li key={e.seq}>
                      <button
                        type="button"
                        onClick={() => select(`audit=${e.seq}`)}
                        aria-label={`Audit entry ${e.seq}: ${e.type}`}
                      >
                        <span class="seq">a{e.seq}</span> {e.type}{' '}
                        <span class="muted">{e.ts.slice(11, 23)}</span>
                      </button>
                    </li>
                  ))}
                </ol>
              </>
            ) : null}
            {side === 'run' ? (
              <section aria-label="Run">
                <dl class="facts">
                  <dt>id</dt>
                  <dd>{data.run.id}</dd>
                  <dt>fingerprint</dt>
                  <dd>
                    <code>{data.run.fingerprint}</code>
                  </dd>
                  <dt>exchanges</dt>
                  <dd>{data.run.counts.exchange}</dd>
                  <dt>draws</dt>
                  <dd>{data.run.counts.draw}</dd>
                  <dt>annotations</dt>
                  <dd>{data.run.counts.annotation}</dd>
                  <dt>time axis</dt>
                  <dd>
                    {data.time.basis === 'clock'
                      ? "the run's own clock readings"
                      : 'exchange durations, end to end'}
                  </dd>
                  <dt>report made</dt>
                  <dd>{data.generatedAt}</dd>
                </dl>
                <JsonView value={data.run.metadata} label="Run metadata" open={1} />
              </section>
            ) : null}
          </div>
        </aside>
      </main>
    </>
  );
}

function countBranches(branches: NonNullable<ReportData['branches']>): number {
  return branches.reduce((n, b) => n + 1 + countBranches(b.branches), 0);
}
