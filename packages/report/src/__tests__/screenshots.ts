/**
 * Screenshots for the README, taken by the browser tests themselves: only when TRACE_SCREENSHOTS=1,
 * so that an ordinary test run leaves the tree as it was.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';

const DOCS = new URL('../../docs/', import.meta.url);

export async function screenshot(
  page: Page,
  name: string,
  clip?: { x: number; y: number; width: number; height: number },
): Promise<void> {
  if (process.env.TRACE_SCREENSHOTS !== '1') return;
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({
    path: new URL(`${name}.png`, DOCS).pathname,
    ...(clip === undefined ? {} : { clip }),
  });
}
