import { describeTapeStoreConformance } from '@trace/tape/conformance';
import { storePath, tempDir } from './__tests__/helpers.js';
import { openSqliteStore, type SqliteTapeStore } from './index.js';

const dir = tempDir('trace-store-sqlite-conformance-');

describeTapeStoreConformance('the SQLite store', {
  // 'normal': every append survives the process being killed, without an fsync per append.
  open: () => openSqliteStore(storePath(dir), { durability: 'normal' }),
  reopen: (store) => openSqliteStore((store as SqliteTapeStore).path),
  numRuns: 40,
});
