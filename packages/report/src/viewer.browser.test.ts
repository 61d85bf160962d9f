/**
 * The viewer on 127.0.0.1 with a real SQLite store: its run list and a report page in a real
 * Chromium, a run being recorded growing live on the page, and requests from other origins or
 * for other host names refused, with real HTTP requests.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openSqliteStore } from '@trace/store-sqlite';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser, reportReady, watchedPage } from './__tests__/browser.js';
import { type ExampleRun, recordExampleRun } from './__tests__/example-run.js';
import { rawRequest } from './__tests__/http.js';
import { screenshot } from './__tests__/screenshots.js';
import { ReportError, startViewer, type Viewer } from './index.js';

let browser: Browser;
let run: ExampleRun;
let branch: string;

beforeAll(async () => {
  [browser, run] = await Promise.all([launchBrowser(), recordExampleRun(2)]);
  branch = await run.fork(1, 'A quiet day indoors.');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await run?.close();
});

async function viewer(options: { path?: string } = {}): Promise<Viewer> {
  const started = await startViewer({
    path: options.path ?? run.path,
    pollMs: 50,
    audit: (id) => (id === run.id ? { dir: run.auditDir, publicKey: run.publicKey } : undefined),
  });
  onTestFinished(() => started.close());
  return started;
}

describe('the viewer', () => {
  it('listens on 127.0.0.1, lists the runs with state, size and branches, and opens a report', async () => {
    const v = await viewer();
    expect(v.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { page, errors, requests } = await watchedPage(browser);
    await page.goto(v.url);
    const row = page.locator(`tr[data-run="${run.id}"]`);
    expect(await row.locator('td').nth(1).textContent()).toBe('complete');
    expect(await row.locator('td').nth(6).textContent()).toBe('1');
    expect(await row.locator('td').nth(5).textContent()).toMatch(/\d+(\.\d)? (kB|B|MB)/);
    expect(await page.locator(`tr[data-run="${branch}"]`).textContent()).toContain(
      `branch of ${run.id}`,
    );
    await screenshot(page, 'viewer-runs', { x: 0, y: 0, width: 1120, height: 250 });
    await row.getByRole('link', { name: run.id }).click();
    await reportReady(page);
    expect(await page.locator('.row.kind-exchange').count()).toBe(6);
    expect(await page.getByRole('status').textContent()).toBe('complete');
    expect(await page.locator('.audit-pill').textContent()).toBe(
      'audit: integrity intact, completeness proven',
    );
    await page.close();
    expect(errors).toEqual([]);
    const origin = new URL(v.url).origin;
    expect(requests.every((r) => r.startsWith(origin))).toBe(true);
  });

  it('shows the events of a run being recorded as they are appended, until it finishes', async () => {
    const path = join(run.dir, 'live.tape.db');
    const writer = openSqliteStore(path);
    onTestFinished(() => writer.close());
    const recorder = writer.record({ id: 'live-run' });
    recorder.append({ type: 'draw', kind: 'clock.wall', value: 1_760_000_000_000 });
    recorder.append({ type: 'annotation', data: { step: 'started' } });
    const v = await viewer({ path });
    const { page, errors } = await watchedPage(browser);
    await page.goto(new URL('/runs/live-run', v.url).href);
    await reportReady(page);
    expect(await page.getByRole('status').textContent()).toBe('recording…');
    expect(await page.locator('.row').count()).toBe(2);
    const server = run.server;
    const response = await fetch(`${server.anthropicBaseURL}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'test',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({
        model: 'claude-trace-demo',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'plan a day in Oslo' }],
      }),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    recorder.append({ type: 'draw', kind: 'clock.wall', value: 1_760_000_000_250 });
    recorder.append({
      type: 'exchange',
      request: {
        method: 'POST',
        url: `${server.anthropicBaseURL}/v1/messages`,
        headers: [['content-type', 'application/json']],
        body: new TextEncoder().encode('{"model":"claude-trace-demo","messages":[]}'),
      },
      response: {
        status: response.status,
        statusText: response.statusText,
        headers: [['content-type', 'application/json']],
        body: { kind: 'bytes', bytes },
      },
      timing: { headersMs: 10, endMs: 12 },
    });
    await expect.poll(() => page.locator('.row').count(), { timeout: 10_000 }).toBe(4);
    await page.locator('.row.kind-exchange button').click();
    await page.getByRole('tab', { name: 'Response' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Response body' }).textContent())
      .toContain('claude-trace-demo');
    recorder.finish();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 10_000 })
      .toBe('complete');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('refuses other host names, other origins and other sites, and never sends CORS headers', async () => {
    const v = await viewer();
    const { host } = new URL(v.url);
    const port = new URL(v.url).port;
    const page = new URL(`/runs/${run.id}`, v.url).href;
    const ok = await rawRequest(page, { host });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('trace-data');
    expect((await rawRequest(page, { host: `localhost:${port}` })).status).toBe(200);
    // DNS rebinding: a foreign name that resolves to 127.0.0.1.
    const rebound = await rawRequest(page, { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('trace-data');
    expect((await rawRequest(page, { host: '127.0.0.1' })).status).toBe(403);
    expect((await rawRequest(page, { host, origin: 'http://attacker.example' })).status).toBe(403);
    expect((await rawRequest(page, { host, origin: `http://${host}` })).status).toBe(200);
    expect((await rawRequest(page, { host, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await rawRequest(page, { host, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect(
      (await rawRequest(new URL('/runs/x/live', v.url).href, { host, origin: 'null' })).status,
    ).toBe(403);
    expect((await rawRequest(page, { host }, 'POST')).status).toBe(405);
    expect((await rawRequest(page, { host }, 'DELETE')).status).toBe(405);
    expect((await rawRequest(new URL('/runs/no-such-run', v.url).href, { host })).status).toBe(404);
    for (const response of [
      ok,
      rebound,
      await rawRequest(page, { host, origin: 'http://attacker.example' }),
    ]) {
      expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual(
        [],
      );
    }
    expect(ok.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a page on another origin in the browser: its fetch of the viewer fails', async () => {
    const v = await viewer();
    const { page } = await watchedPage(browser);
    // A page of another origin, with no policy of its own that would stop its fetch first.
    const other = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((listening) => other.listen(0, '127.0.0.1', listening));
    onTestFinished(() => void other.close());
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const outcome = await page.evaluate(
      async (target) => {
        try {
          const response = await fetch(target);
          return `read ${response.status}`;
        } catch (error) {
          return `refused: ${(error as Error).name}`;
        }
      },
      new URL(`/runs/${run.id}`, v.url).href,
    );
    expect(outcome).toMatch(/^refused/);
    await page.close();
  });

  it('refuses bad options and a port in use with typed errors', async () => {
    await expect(startViewer({})).rejects.toMatchObject({ code: 'REPORT_INVALID_OPTION' });
    const v = await viewer();
    const port = Number(new URL(v.url).port);
    const error = await startViewer({ path: run.path, port }).catch((e: unknown) => e);
    expect(ReportError.isInstance(error)).toBe(true);
    expect((error as ReportError).code).toBe('REPORT_LISTEN_FAILED');
  });
});
