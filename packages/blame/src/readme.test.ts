import { checkQuickStart } from '@trace/test-utils';
import { it } from 'vitest';

it('the README quick start records a run, estimates and runs its blame, and reads the stored result, as written', () => {
  checkQuickStart(new URL('..', import.meta.url));
});
