/**
 * The report of a run blamed by the real @trace/blame engine: its stored result read beside the
 * run, drawn in Chromium. The run is @trace/blame's own example — a plan, a forecast and a packing
 * list from a model API on 127.0.0.1 whose first forecast is sunny and every later one stormy — so
 * the forecast (exchange 1) is the responsible step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { blame, matchesText } from '@trace/blame';
import { type AgentContext, runAgent } from '@trace/run';
import { expect, it, onTestFinished } from 'vitest';
import { launchBrowser, reportReady, watchedPage } from './__tests__/browser.js';
import { writeReport } from './index.js';

it('draws the ranking of a real blame, stored beside the run, with the forecast responsible', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-report-blame-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  let forecasts = 0;
  const server = createServer(async (req, res) => {
    let asked = '';
    for await (const chunk of req) asked += chunk;
    if (asked.startsWith('Pack for'))
      res.end(asked.includes('stormy') ? 'an umbrella' : 'sunglasses');
    else if (asked.startsWith('Forecast')) res.end(forecasts++ === 0 ? 'sunny' : 'stormy');
    else res.end('A walk by the river.');
  }).listen(0, '127.0.0.1');
  await new Promise((listening) => server.once('listening', listening));
  onTestFinished(() => void server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat`;
  const agent = async ({ fetch }: AgentContext) => {
    const ask = async (text: string) => (await fetch(url, { method: 'POST', body: text })).text();
    const plan = await ask('Plan a day in Lisbon.');
    const weather = await ask(`Forecast for: ${plan}`);
    return ask(`Pack for ${weather} weather.`);
  };
  const path = join(dir, 'runs.tape.db');
  await runAgent({ path, id: 'day', mode: 'record' }, agent);
  const result = await blame(
    { path, run: 'day', trials: 10, oracle: matchesText(/sunglasses/), tail: { hybrid: true } },
    agent,
  );
  expect(result.responsible).toEqual([1]);

  // No blame passed: the report reads the one blame() stored beside the run.
  const out = await writeReport({ path, id: 'day', out: join(dir, 'day.html') });
  const browser = await launchBrowser();
  onTestFinished(() => browser.close());
  const { page, errors, requests } = await watchedPage(browser);
  await page.goto(pathToFileURL(out).href);
  await reportReady(page);
  const ranks = page.getByRole('list', { name: 'Blame ranking' }).getByRole('listitem');
  expect(await ranks.count()).toBe(3);
  expect(await ranks.first().locator('.responsible-tag').count()).toBe(1);
  expect(await ranks.first().locator('.rank-rate').textContent()).toBe('100%');
  expect(await ranks.first().getAttribute('data-seq')).toBe(String(result.steps[1]!.seq));
  expect(await page.locator('.row .blame-badge.responsible').count()).toBe(1);
  expect(errors).toEqual([]);
  expect(requests).toEqual([pathToFileURL(out).href]);
});
