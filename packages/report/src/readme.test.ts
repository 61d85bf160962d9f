import { readdirSync, rmSync } from 'node:fs';
import { checkQuickStart } from '@trace/test-utils';
import { afterEach, it } from 'vitest';

const folder = new URL('../.readme-check/', import.meta.url);

// The quick start writes its report beside its store; the page is not left for linters to read.
afterEach(() => {
  for (const name of readdirSync(folder)) if (name.endsWith('.html')) rmSync(new URL(name, folder));
});

it('the README quick start records a run, writes its report, and starts the viewer that refuses a foreign origin, as written', () => {
  checkQuickStart(new URL('..', import.meta.url));
});
