import { checkQuickStart } from '@trace/test-utils';
import { it } from 'vitest';

it('the README quick start records, then replays with the server gone, as written', () => {
  checkQuickStart(new URL('..', import.meta.url));
});
