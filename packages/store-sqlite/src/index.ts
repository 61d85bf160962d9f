export { loadTape, saveTape, verifyTape } from './file.js';
export type { SqliteDurability } from './sqlite/connection.js';
export {
  openSqliteStore,
  type SqliteStoreOptions,
  type SqliteTapeRecorder,
  type SqliteTapeStore,
} from './store.js';
