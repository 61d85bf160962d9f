import { checkQuickStart } from '@trace/test-utils';
import { it } from 'vitest';

it('the README quick start records, forks with a replaced response, and replays the branch offline, as written', () => {
  checkQuickStart(new URL('..', import.meta.url));
});
