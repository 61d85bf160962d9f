// One side of replay-load.bench.mjs, in a process of its own, so that neither side's garbage,
// heap growth or compiled code weighs on the other's timings (measured: run in one process, the
// side after the other's rounds lost a fifth of its speed): warms up, then times `rounds` rounds
// of open + load + index + first request, and prints them (ms) as JSON.
//   node --expose-gc replay-load-child.mjs new <path> <rounds>
//   node --expose-gc replay-load-child.mjs old <path> <rounds> <baseline dir>
//   node --expose-gc replay-load-child.mjs memory-new|memory-old <path> [<baseline dir>]
import { openSqliteStore } from '@trace/store-sqlite';
import { openTransport, replayFetch } from '../dist/index.js';
import { importBaseline } from './baseline.mjs';
import { requestBodyAt } from './llm-exchanges.mjs';

const [side, path, arg, baselineDir] = process.argv.slice(2);
const url = 'http://127.0.0.1:8080/v1/messages';
// The first request as the SDK sends it: with the API version it was recorded with, which
// replay matches.
const first = {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
  body: requestBodyAt(0),
};

if (side.startsWith('memory-')) {
  console.log(JSON.stringify(await memory(side === 'memory-old' ? arg : undefined)));
} else {
  const round = side === 'old' ? await oldRound(baselineDir) : newRound;
  // Warmed up until the compiled code and the heap's sizes settle (some five rounds, measured).
  for (let r = 0; r < 5; r++) await round();
  const times = [];
  for (let r = 0; r < Number(arg); r++) {
    global.gc();
    times.push(await round());
  }
  console.log(JSON.stringify(times));
}

/** Now: open the store, `openTransport` in replay mode (load once, index), first request. */
async function newRound() {
  const t0 = process.hrtime.bigint();
  const store = openSqliteStore(path, { readonly: true });
  const transport = await openTransport({ store, id: 'run', mode: 'replay', env: {} });
  store.close();
  const response = await transport.fetch(url, first);
  await response.arrayBuffer();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Before: open the store, load (a lookup a blob, every event re-validated and re-hashed), index, first request. */
async function oldRound(dir) {
  const { tape, transport } = await importBaseline(dir);
  return async () => {
    const t0 = process.hrtime.bigint();
    const store = tape.openStore(path, { readonly: true });
    const loaded = store.load('run');
    store.close();
    const replay = transport.replayFetch({ tape: loaded });
    const response = await replay.fetch(url, first);
    await response.arrayBuffer();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
}

/** Heap + external (ArrayBuffer) memory held by the loaded tape, kept alive, then by its index. */
async function memory(dir) {
  const modules =
    dir === undefined
      ? { tape: { openStore: openSqliteStore }, transport: { replayFetch } }
      : await importBaseline(dir);
  const used = () => {
    for (let i = 0; i < 6; i++) global.gc();
    const { heapUsed, external } = process.memoryUsage();
    return heapUsed + external;
  };
  const kept = [];
  const before = used();
  const store = modules.tape.openStore(path, { readonly: true });
  kept.push(store.load('run'));
  store.close();
  const loaded = used();
  const replay = modules.transport.replayFetch({ tape: kept[0] });
  kept.push(replay);
  const indexed = used();
  // Every request served, every body read to its end: what the tape holds after a whole replay.
  for (let i = 0; i < kept[0].events.length; i++) {
    const init = { ...first, body: requestBodyAt(i) };
    const response = await replay.fetch(url, init);
    for await (const _ of response.body) {
      // read to the end
    }
  }
  // Back to the event loop first: objects a WeakRef handed out stay alive until the job ends.
  await new Promise((resolve) => setImmediate(resolve));
  const replayed = used();
  return {
    tape: loaded - before,
    index: indexed - loaded,
    replayed: replayed - before,
    matched: replay.report().matched,
  };
}
