import { checkQuickStart } from '@trace/test-utils';
import { it } from 'vitest';

it('the README quick start loads a dump, shows it and reports a missing store, as written', () => {
  checkQuickStart(new URL('..', import.meta.url));
});
