import { fileURLToPath } from 'node:url';
import { runQuickStart } from '@trace/test-utils';
import { expect, it } from 'vitest';

it('the README quick start runs as written against the built package and prints what it says', () => {
  const { printed, stderr, expected } = runQuickStart(
    fileURLToPath(new URL('..', import.meta.url)),
  );
  expect(stderr).toBe('');
  // Every `console.log(...); // expected` line in the README prints exactly its comment.
  expect(expected.length).toBeGreaterThan(0);
  expect(printed).toEqual(expected);
  expect(printed.join('\n')).not.toContain(`${'sk-'}${'ant-'}api03-`);
});
