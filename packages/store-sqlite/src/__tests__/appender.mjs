// Appends to a store until killed, a few events at a time with pauses, starting a new tape every
// 50 events: what verify reads while it runs. Used by verify.test.ts.
//   node appender.mjs <store path>
import { openSqliteStore } from '../../dist/index.js';
import { eventAt } from './crash-events.mjs';

const [path] = process.argv.slice(2);
const store = openSqliteStore(path, { durability: 'normal' });
// The test kills it; an orphan (its test timed out) stops when its parent's end of stdin closes.
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.stdout.write('ready\n');
for (let tape = 0; ; tape++) {
  const recorder = store.record({ id: `growing-${tape}` });
  for (let i = 0; i < 50; i++) {
    // Small events only (no 100 KB bodies): the store stays small enough to verify 40 times.
    recorder.append(eventAt(i % 8 === 2 ? i + 1 : i));
    if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  recorder.finish();
}
