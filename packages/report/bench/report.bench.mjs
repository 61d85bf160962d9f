// @trace/report benchmark: figures printed, never asserted. Run with `pnpm bench` (after a build).
//
// A synthetic run of 1,000 Anthropic exchanges (an agent loop whose conversation grows over 20
// turns, then starts again; one response in three streamed as server-sent events; a wall-clock
// draw before each call) in an SQLite store. Printed: the time to build its report (median)
// against the time to load the same tape from the store (the baseline, same run), the report's
// size, and the time from opening the file in headless Chromium until the page is interactive —
// its data inflated, its timeline rendered, and a click on the last exchange answered with its
// detail (median; target under 1 s).
//   node bench/report.bench.mjs [--exchanges <n>] [--runs <n>]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '@trace/store-sqlite';
import { printFigure } from '@trace/test-utils';
import { chromium } from 'playwright-core';
import { buildReport, writeReport } from '../dist/index.js';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const EXCHANGES = arg('--exchanges', 1000);
const RUNS = arg('--runs', 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const utf8 = (text) => new TextEncoder().encode(text);
const json = ['content-type', 'application/json'];

/** The events of one agent turn: a clock reading, then the call (streamed on every third). */
function turn(i, conversation) {
  const request = {
    model: 'claude-bench',
    max_tokens: 512,
    system: 'You plan trips, one day at a time.',
    messages: conversation,
  };
  const text = `Day ${i}: a walk by the river, lunch at the market, and a museum in the afternoon (${i}).`;
  const usage = { input_tokens: 40 + conversation.length * 30, output_tokens: 24 };
  const message = {
    id: `msg_${i}`,
    type: 'message',
    role: 'assistant',
    model: 'claude-bench',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    usage,
  };
  const streamed = i % 3 === 2;
  let body;
  if (streamed) {
    const words = text.split(' ');
    const events = [
      [
        'message_start',
        {
          type: 'message_start',
          message: { ...message, content: [], usage: { ...usage, output_tokens: 1 } },
        },
      ],
      [
        'content_block_start',
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      ],
      ...words.map((w, k) => [
        'content_block_delta',
        {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: k === 0 ? w : ` ${w}` },
        },
      ]),
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 24 } },
      ],
      ['message_stop', { type: 'message_stop' }],
    ];
    body = {
      kind: 'stream',
      chunks: events.map(([event, data], k) => ({
        offsetMs: 5 + k * 3,
        bytes: utf8(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      })),
      end: { kind: 'complete' },
    };
  } else {
    body = { kind: 'bytes', bytes: utf8(JSON.stringify(message)) };
  }
  return {
    text,
    events: [
      { type: 'draw', kind: 'clock.wall', value: 1_760_000_000_000 + i * 900 },
      {
        type: 'exchange',
        issueIndex: i,
        timing: { headersMs: 120, endMs: streamed ? 700 : 450 },
        request: {
          method: 'POST',
          url: 'https://api.anthropic.com/v1/messages',
          headers: [json, ['anthropic-version', '2023-06-01']],
          body: utf8(JSON.stringify(request)),
        },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [json, ['request-id', `req_${i}`]],
          body,
        },
      },
    ],
  };
}

const dir = mkdtempSync(join(tmpdir(), 'trace-report-bench-'));
const path = join(dir, 'runs.tape.db');
const id = 'bench-run';
try {
  const store = openSqliteStore(path, { durability: 'normal' });
  const recorder = store.record({ id });
  let conversation = [];
  for (let i = 0; i < EXCHANGES; i++) {
    if (i % 20 === 0) conversation = [];
    conversation = [...conversation, { role: 'user', content: `Plan day ${i} in Lisbon.` }];
    const { text, events } = turn(i, conversation);
    for (const event of events) recorder.append(event);
    conversation = [...conversation, { role: 'assistant', content: text }];
  }
  recorder.finish();

  const loads = [];
  const builds = [];
  let html = '';
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    store.load(id);
    loads.push(performance.now() - t);
    t = performance.now();
    html = await buildReport({ store, id });
    builds.push(performance.now() - t);
  }
  const out = await writeReport({ store, id, out: join(dir, 'bench.html') });
  store.close();

  console.log(
    `@trace/report — a run of ${EXCHANGES} exchanges (${EXCHANGES * 2} events), ${RUNS} runs each`,
  );
  const load = median(loads);
  const build = median(builds);
  printFigure({
    name: 'load the tape from the store (baseline), median',
    value: load.toFixed(1),
    unit: 'ms',
  });
  printFigure({ name: 'buildReport, median', value: build.toFixed(1), unit: 'ms' });
  printFigure({
    name: 'buildReport against loading the tape',
    value: (build / load).toFixed(2),
    unit: '×',
  });
  printFigure({
    name: 'report file size',
    value: (statSync(out).size / 1024).toFixed(1),
    unit: 'KiB',
  });
  printFigure({
    name: 'the same run in its SQLite store file',
    value: (statSync(path).size / 1024).toFixed(1),
    unit: 'KiB',
  });
  printFigure({
    name: 'data embedded compressed',
    value: String(html.includes('data-encoding="gzip+base64"')),
    unit: '',
  });

  const browser = await chromium.launch({
    executablePath: process.env.TRACE_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const interactive = [];
  for (let r = 0; r < RUNS; r++) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const t = performance.now();
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('html[data-ready="true"]');
    await page.locator('.row.kind-exchange .row-button').last().click();
    await page.waitForSelector(`.exchange-detail[aria-label="Exchange ${EXCHANGES * 2 - 1}"]`);
    interactive.push(performance.now() - t);
    await page.close();
  }
  await browser.close();
  const tti = median(interactive);
  printFigure({
    name: 'open from disk until interactive in Chromium, median',
    value: tti.toFixed(0),
    unit: 'ms',
    target: '< 1000 ms',
    met: tti < 1000,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
