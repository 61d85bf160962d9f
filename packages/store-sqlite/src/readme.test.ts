import { fileURLToPath } from 'node:url';
import { runQuickStart } from '@trace/test-utils';
import { expect, it } from 'vitest';

it('the README quick start runs as written against the built package and prints what it says', () => {
  const { printed, expected } = runQuickStart(fileURLToPath(new URL('..', import.meta.url)));
  expect(expected.length).toBeGreaterThan(0);
  expect(printed).toEqual(expected);
});
