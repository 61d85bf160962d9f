/**
 * The viewer's first page: the store's runs, each with its state, size and branches, linking to
 * its report. Rendered on the server as plain HTML; it needs no script.
 */
import { BRANCH_METADATA_KEY } from '@trace/fork';
import type { Tape, TapeStore, TapeSummary } from '@trace/tape';
import { escapeHtml } from '../build/html.js';

export interface RunRow {
  readonly id: string;
  readonly createdAt: string;
  /** `complete`, or `recording` for a run not finished (still running, or interrupted). */
  readonly state: 'complete' | 'recording';
  readonly events: number;
  readonly exchanges: number;
  readonly draws: number;
  /** Bytes of the request and response bodies it recorded (before the store's deduplication). */
  readonly bodyBytes: number;
  /** How many branches were forked from it directly. */
  readonly branches: number;
  /** The run it was forked from, when it is a branch. */
  readonly parent?: string;
}

/** Facts read from a tape, cached by its id and fingerprint: a finished tape never changes. */
interface TapeFacts {
  readonly bodyBytes: number;
  readonly parent?: string;
  readonly blame: boolean;
}

export class RunLister {
  readonly #cache = new Map<string, TapeFacts>();

  constructor(private readonly store: TapeStore) {}

  async rows(): Promise<RunRow[]> {
    const summaries = await this.store.list();
    const facts = new Map<string, TapeFacts | undefined>();
    for (const summary of summaries) facts.set(summary.id, await this.#facts(summary));
    const branches = new Map<string, number>();
    for (const f of facts.values())
      if (f?.parent !== undefined) branches.set(f.parent, (branches.get(f.parent) ?? 0) + 1);
    return summaries
      .filter((s) => facts.get(s.id)?.blame !== true)
      .map((s) => {
        const f = facts.get(s.id);
        return {
          id: s.id,
          createdAt: s.createdAt,
          state: s.complete ? 'complete' : 'recording',
          events: s.eventCount,
          exchanges: s.counts.exchange,
          draws: s.counts.draw,
          bodyBytes: f?.bodyBytes ?? 0,
          branches: branches.get(s.id) ?? 0,
          ...(f?.parent === undefined ? {} : { parent: f.parent }),
        };
      });
  }

  async #facts(summary: TapeSummary): Promise<TapeFacts | undefined> {
    const key = `${summary.id}\n${summary.fingerprint}\n${summary.complete}`;
    const known = this.#cache.get(key);
    if (known !== undefined) return known;
    let tape: Tape;
    try {
      tape = await this.store.load(summary.id);
    } catch {
      return undefined; // A damaged tape is listed without its facts.
    }
    const record = tape.metadata.user?.[BRANCH_METADATA_KEY];
    const parent =
      typeof record === 'object' && record !== null && !Array.isArray(record)
        ? (record as { parent?: unknown }).parent
        : undefined;
    const facts: TapeFacts = {
      bodyBytes: bodyBytes(tape),
      ...(typeof parent === 'string' ? { parent } : {}),
      blame: summary.eventCount === 0 && tape.metadata.user?.['@trace/blame'] !== undefined,
    };
    if (summary.complete) this.#cache.set(key, facts);
    return facts;
  }
}

function bodyBytes(tape: Tape): number {
  let total = 0;
  for (const event of tape.events) {
    if (event.type !== 'exchange') continue;
    total += event.request.body?.length ?? 0;
    const body = event.response?.body;
    if (body?.kind === 'bytes') total += body.bytes.length;
    else if (body?.kind === 'stream') for (const chunk of body.chunks) total += chunk.bytes.length;
  }
  return total;
}

/** Bytes as people read them: 1.2 kB, 3.4 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes;
  let unit = '';
  for (const u of units) {
    value /= 1000;
    unit = u;
    if (value < 1000) break;
  }
  return `${value.toFixed(1)} ${unit}`;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #59636e; --line: #d1d9e0; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #30363d; --accent: #4493f8; } }
body { font: 14px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 2rem; }
table { border-collapse: collapse; } th, td { text-align: left; padding: .35rem .8rem; border-bottom: 1px solid var(--line); }
td.n { text-align: right; font-variant-numeric: tabular-nums; } a { color: var(--accent); }
.recording { color: #bf8700; font-weight: 600; } .muted { color: var(--muted); }`;

export function runListHtml(location: string, rows: readonly RunRow[]): string {
  const body = rows
    .map(
      (r) => `<tr data-run="${escapeHtml(r.id)}">
<td><a href="/runs/${encodeURIComponent(r.id)}">${escapeHtml(r.id)}</a>${r.parent === undefined ? '' : ` <span class="muted">branch of ${escapeHtml(r.parent)}</span>`}</td>
<td class="${r.state}">${r.state}</td>
<td class="n">${r.events}</td><td class="n">${r.exchanges}</td><td class="n">${r.draws}</td>
<td class="n">${formatBytes(r.bodyBytes)}</td><td class="n">${r.branches}</td>
<td class="muted">${escapeHtml(r.createdAt)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>Runs · @trace viewer</title><style>${STYLE}</style></head>
<body><h1>Runs</h1><p class="muted">${escapeHtml(location)} · read-only</p>
${
  rows.length === 0
    ? '<p>The store holds no runs yet.</p>'
    : `<table aria-label="Runs"><thead><tr><th scope="col">run</th><th scope="col">state</th><th scope="col">events</th><th scope="col">exchanges</th><th scope="col">draws</th><th scope="col">body bytes</th><th scope="col">branches</th><th scope="col">created</th></tr></thead>
<tbody>${body}</tbody></table>`
}
</body></html>
`;
}
