/**
 * The report in a real Chromium (Debian's, headless), opened from disk: the example agent's run
 * recorded against the scripted LLM server, its signed audit log, a branch made with forkRun and
 * a blame result of @trace/blame's shape. Any console error, page error, or request other than
 * the file itself fails the test.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '@trace/store-sqlite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blameFixture } from './__tests__/blame-fixture.js';
import { launchBrowser, reportReady, type WatchedPage, watchedPage } from './__tests__/browser.js';
import { type ExampleRun, recordExampleRun } from './__tests__/example-run.js';
import { screenshot } from './__tests__/screenshots.js';
import { clientBundle } from './build/client-bundle.js';
import { reportHtml } from './build/html.js';
import { gatherReportData } from './build/report-data.js';
import { writeReport } from './index.js';

let browser: Browser;
let run: ExampleRun;
let branch: string;
let reportUrl: string;
let watched: WatchedPage | undefined;

beforeAll(async () => {
  [browser, run] = await Promise.all([launchBrowser(), recordExampleRun(2)]);
  // A branch: the answer to exchange 1 (iteration 0's plan) replaced, the tail run on.
  branch = await run.fork(1, 'A quiet day indoors.');
  const store = openSqliteStore(run.path, { readonly: true });
  const blame = await blameFixture(store, run.id);
  store.close();
  const out = await writeReport({
    path: run.path,
    id: run.id,
    out: join(run.dir, 'report', 'run.html'),
    audit: { dir: run.auditDir, publicKey: run.publicKey },
    blame,
  });
  reportUrl = pathToFileURL(out).href;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await run?.close();
});

/** Opens the report (with `hash`) and fails the test on any error or any request but the file. */
async function open(hash = '', options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
  watched = await watchedPage(browser, options);
  await watched.page.goto(`${reportUrl}${hash}`);
  await reportReady(watched.page);
  return watched.page;
}

afterEach(async () => {
  if (watched === undefined) return;
  const { page, errors, requests } = watched;
  watched = undefined;
  await page.close();
  expect(errors).toEqual([]);
  expect(requests.map((r) => r.replace(/#.*$/, ''))).toEqual([reportUrl]);
});

const rows = (page: Page) => page.getByRole('list', { name: 'Events' }).getByRole('listitem');

describe('the report of the example run, opened from disk', () => {
  it('lists every event with the audit entries, and a clicked exchange shows its request and response', async () => {
    const page = await open();
    // 63-odd tape events plus the audit log's entries, all listed.
    const shown = await page.locator('.count').textContent();
    const [visible, total] = (shown ?? '').match(/\d+/g)!.map(Number);
    expect(visible).toBe(total);
    expect(await rows(page).count()).toBe(total);
    expect(await page.locator('.row.kind-audit').count()).toBeGreaterThan(5);

    await page.locator('.row.kind-exchange button').first().click();
    expect(page.url()).toMatch(/#seq=\d+$/);
    const conversation = page.getByRole('list', { name: 'Conversation' });
    await expect.poll(() => conversation.locator('.role-system').count()).toBe(1);
    expect(await conversation.locator('.role-user').first().textContent()).toContain(
      'plan a day in',
    );
    expect(await conversation.locator('.answer .tool-use').textContent()).toContain('get_weather');
    await screenshot(page, 'report-timeline');

    await page.getByRole('tab', { name: 'Request' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Request body' }).textContent())
      .toContain('claude-trace-demo');
    await page.getByRole('tab', { name: 'Response' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Response body' }).textContent())
      .toContain('tool_use');
    await page.getByRole('tab', { name: 'Headers' }).click();
    expect(await page.getByRole('table', { name: 'Response headers' }).textContent()).toContain(
      'content-type',
    );
  });

  it('reassembles a streamed response, and shows its raw chunks with their offsets on request', async () => {
    const page = await open();
    const streamed = page.locator('.row.kind-exchange button', { hasText: 'streamed' }).first();
    await streamed.click();
    await page.getByRole('tab', { name: 'Response' }).click();
    const body = page.getByRole('region', { name: 'Response body' });
    await expect.poll(() => body.textContent()).toContain('message');
    expect(await page.locator('.exchange-detail').textContent()).toMatch(
      /Reassembled from \d+ chunks/,
    );
    await page.getByLabel('Show the raw chunks').check();
    const chunks = page.getByRole('table', { name: 'Raw chunks' });
    expect(await chunks.locator('tbody tr').count()).toBeGreaterThan(1);
    expect(await chunks.textContent()).toContain('event: message_start');
    expect(await chunks.locator('tbody tr').first().locator('td').nth(1).textContent()).toMatch(
      /\d+(\.\d+)? (ms|s)/,
    );
  });

  it('follows a deep link to an event, and moves with j and k', async () => {
    const page = await open('#seq=4');
    const current = page.locator('[aria-current="true"]');
    expect(await current.getAttribute('data-key')).toBe('seq=4');
    expect(await page.locator('.detail').getAttribute('aria-label')).toMatch(/ 4$/);
    await page.keyboard.press('j');
    const next = await current.getAttribute('data-key');
    expect(next).not.toBe('seq=4');
    expect(page.url().endsWith(`#${next}`)).toBe(true);
    await page.keyboard.press('k');
    expect(await current.getAttribute('data-key')).toBe('seq=4');
    await page.keyboard.press('ArrowDown');
    expect(await current.getAttribute('data-key')).toBe(next);
  });

  it('filters by kind and searches the bodies', async () => {
    const page = await open();
    await page.getByLabel('Show draw events').uncheck();
    expect(await page.locator('.row.kind-draw').count()).toBe(0);
    expect(await page.locator('.row.kind-exchange').count()).toBe(6);
    await page.getByLabel('Show draw events').check();
    await page.getByRole('searchbox', { name: 'Search events' }).fill('should I PACK');
    // Only the OpenAI variant's two exchanges ask it (words match in any case).
    const found = await page.locator('.row button').allTextContents();
    expect(found.length).toBe(2);
    expect(found.every((t) => t.includes('/chat/completions'))).toBe(true);
  });

  it('reads the OpenAI exchange as a conversation too', async () => {
    const page = await open();
    await page
      .locator('.row.kind-exchange button', { hasText: 'chat/completions' })
      .first()
      .click();
    const conversation = page.getByRole('list', { name: 'Conversation' });
    await expect.poll(() => conversation.locator('.message').count()).toBeGreaterThan(1);
    expect(await conversation.locator('.answer').count()).toBe(1);
  });

  it('switches to the branch and highlights its first difference, with the JSON paths', async () => {
    const page = await open();
    await page.getByRole('tab', { name: /Branches/ }).click();
    await page.getByRole('button', { name: `Branch ${branch}, forked at exchange 1` }).click();
    const first = page.locator('.diff-steps li.parted');
    expect(await first.count()).toBe(1);
    expect(await first.textContent()).toContain('first difference');
    expect(await first.textContent()).toContain('exchange 1');
    expect(await first.locator('table').textContent()).toContain('content[0].text');
    expect(await first.locator('td.now').first().textContent()).toBe('A quiet day indoors.');
    // The parent's step is marked in the timeline, and one click away.
    expect(await page.locator('.row.parted').count()).toBe(1);
    await first.getByRole('button', { name: /Show exchange 1/ }).click();
    expect(await page.locator('[aria-current="true"]').getAttribute('data-key')).toBe(
      await page.locator('.row.parted button').getAttribute('data-key'),
    );
    await screenshot(page, 'report-branch');
  });

  it('draws the blame ranking as bars, marks the responsible step and the untrustworthy one', async () => {
    const page = await open();
    await page.getByRole('tab', { name: 'Blame' }).click();
    const ranking = page.getByRole('list', { name: 'Blame ranking' });
    const ranks = ranking.getByRole('listitem');
    expect(await ranks.count()).toBe(4);
    // Highest flip rate first: exchange 1 (17/20), responsible.
    expect(await ranks.first().textContent()).toContain('exchange 1');
    expect(await ranks.first().locator('.responsible-tag').count()).toBe(1);
    const bar = ranks.first().locator('.interval');
    const track = await ranks.first().locator('.bar-track').boundingBox();
    const box = await bar.boundingBox();
    expect(track).not.toBeNull();
    expect(box).not.toBeNull();
    // The interval 0.67–1.00 is drawn from two thirds of the track to its end.
    expect((box!.x - track!.x) / track!.width).toBeCloseTo(0.67, 1);
    expect(await page.locator('.rank.untrustworthy .untrustworthy-tag').count()).toBe(1);
    // Badges on the timeline: four steps, one responsible.
    expect(await page.locator('.row .blame-badge').count()).toBe(4);
    expect(await page.locator('.row .blame-badge.responsible').count()).toBe(1);
    await ranks.first().getByRole('button').click();
    expect(await page.locator('[aria-current="true"] .blame-badge.responsible').count()).toBe(1);
    await screenshot(page, 'report-blame');
  });

  it("states the audit log's integrity and completeness", async () => {
    const page = await open();
    await page.getByRole('tab', { name: 'Audit' }).click();
    const status = page.getByRole('region', { name: 'Audit verification' });
    expect(await status.textContent()).toContain('Integrity: intact');
    expect(await status.textContent()).toMatch(/Completeness: proven through seq \d+/);
    await page.getByRole('button', { name: /^Audit entry 1:/ }).click();
    expect(page.url()).toMatch(/#audit=1$/);
  });

  it('is readable in dark mode', async () => {
    const page = await open('#seq=4', { colorScheme: 'dark' });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(100);
    await screenshot(page, 'report-dark');
  });
});

describe('a report whose data is compressed', () => {
  it('inflates in the page with DecompressionStream and renders the same run', async () => {
    const store = openSqliteStore(run.path, { readonly: true });
    const data = await gatherReportData({ store, id: run.id });
    store.close();
    const html = reportHtml({ data, script: clientBundle(), compressAbove: 0 });
    expect(html).toContain('data-encoding="gzip+base64"');
    const file = join(run.dir, 'compressed.html');
    writeFileSync(file, html);
    const { page, errors, requests } = await watchedPage(browser);
    await page.goto(pathToFileURL(file).href);
    await reportReady(page);
    expect(await rows(page).count()).toBe(data.events.length);
    await page.close();
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
  });
});
