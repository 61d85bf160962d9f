// Records a deterministic run into a store until it is killed. Used by crash.test.ts.
//   node crash-child.mjs <store path> <run id>
import { openSqliteStore } from '../../dist/index.js';
import { eventAt } from './crash-events.mjs';

const [path, id] = process.argv.slice(2);
const store = openSqliteStore(path, { durability: 'normal' });
const recorder = store.record({ id });
process.stdout.write('ready\n');
// Killed within a second by the test; the deadline only stops an orphan (its test timed out) from
// filling the disk.
const deadline = Date.now() + 60_000;
for (let i = 0; Date.now() < deadline; i++) recorder.append(eventAt(i));
