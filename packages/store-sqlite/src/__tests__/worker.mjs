// One process of the multi-process test: waits until a shared start time, then does one thing to
// a store and prints its outcome as one JSON line. Used by processes.test.ts.
//   node worker.mjs <action> <store path> <run id> <start at (epoch ms)>
// Actions: `record` (20 events, finished), `read` (list, then load every complete tape), `verify`.
import { openSqliteStore, verifyTape } from '../../dist/index.js';
import { eventAt } from './crash-events.mjs';

const [action, path, id, startAt] = process.argv.slice(2);
// Everyone starts at the same instant: spin (not sleep) for the last stretch.
while (Date.now() < Number(startAt)) {}

function outcome() {
  if (action === 'verify') {
    const report = verifyTape(path);
    return { ok: report.ok, problems: report.problems.slice(0, 3) };
  }
  const store = openSqliteStore(path, { readonly: action === 'read', durability: 'normal' });
  try {
    if (action === 'record') {
      const recorder = store.record({ id });
      for (let i = 0; i < 20; i++) recorder.append(eventAt(i));
      recorder.finish();
      return { ok: true, fingerprint: recorder.fingerprint };
    }
    const tapes = store.list();
    for (const tape of tapes) if (tape.complete) store.load(tape.id);
    return { ok: true, tapes: tapes.length };
  } finally {
    store.close();
  }
}

try {
  process.stdout.write(`${JSON.stringify(outcome())}\n`);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ ok: false, code: error.code ?? error.name, message: error.message })}\n`,
  );
}
