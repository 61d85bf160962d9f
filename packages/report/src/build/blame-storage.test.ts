/**
 * The report's copy of @trace/blame's storage convention agrees with @trace/blame itself (a dev
 * dependency here): the same metadata key, the same blame-tape id for every run id, and a blame
 * stored where the report looks is one @trace/blame's loadBlame reads back. And a BlameResult is a
 * ReportBlame, so `blame()`'s result passes as the report's `blame` option (checked by tsc).
 */
import {
  BLAME_METADATA_KEY as BLAME_KEY_OF_BLAME,
  type BlameResult,
  blameTapeId as blameTapeIdOfBlame,
  loadBlame,
} from '@trace/blame';
import { openMemoryStore } from '@trace/tape';
import fc from 'fast-check';
import { expect, expectTypeOf, it } from 'vitest';
import type { ReportBlame } from '../index.js';
import { storedBlame } from './blame.js';
import { BLAME_METADATA_KEY, blameTapeId } from './blame-storage.js';

it('uses the metadata key and tape id @trace/blame stores a result under', () => {
  expect(BLAME_METADATA_KEY).toBe(BLAME_KEY_OF_BLAME);
  expect(blameTapeId('x')).toBe(blameTapeIdOfBlame('x'));
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), (run) => {
      expect(blameTapeId(run)).toBe(blameTapeIdOfBlame(run));
    }),
  );
});

it('reads the blame from the tape @trace/blame reads it from', async () => {
  const store = openMemoryStore();
  store.record({ id: 'r1' }).finish();
  const result = { version: 1, run: 'r1', steps: [], responsible: [], ranking: [] };
  store
    .record({ id: blameTapeId('r1'), metadata: { user: { [BLAME_METADATA_KEY]: result } } })
    .finish();
  expect(await loadBlame(store, 'r1')).toEqual(result);
  expect(await storedBlame(store, 'r1')).toEqual(result);
});

it('takes a BlameResult of @trace/blame as its blame option', () => {
  expectTypeOf<BlameResult>().toExtend<ReportBlame>();
});
