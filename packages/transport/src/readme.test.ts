import { checkQuickStart } from '@trace/test-utils';
import { it } from 'vitest';

it('the README quick start runs as written against the built package and prints what it says', () => {
  checkQuickStart(new URL('..', import.meta.url));
});
