import { checkQuickStart } from '@trace/test-utils';
import { it } from 'vitest';

it('the README quick start records through the proxy, then replays with the API gone, as written', () => {
  checkQuickStart(new URL('..', import.meta.url));
});
