// What the example agent's tape costs on disk per iteration, in the store format of today (7:
// blobs in chunks, compressed in packs, streams kept whole) and in format 5, built from commit
// 5f0a2fa in this run. The agent (planTrip on the Anthropic SDK, streamed on odd iterations) is
// recorded with 10 and with 50 iterations against the local LLM server; each tape is saved into a
// new file of each format, and the difference divided by 40. Figures printed, never asserted.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { runAgent } from '@trace/run';
import { openSqliteStore } from '@trace/store-sqlite';
import { buildAt, importBuilt } from '../../../packages/transport/bench/build-at.mjs';
import { planTrip } from '../src/agent.mjs';
import { respond } from '../src/world.mjs';

const PREVIOUS = '5f0a2fa';
const dir = mkdtempSync(join(tmpdir(), 'trace-agent-bytes-'));
const line = (name, value, unit) =>
  console.log(`${name.padEnd(60)} ${String(value).padStart(10)} ${unit}`);
const require = createRequire(import.meta.url);
const sqlite = join(
  require.resolve('better-sqlite3', { paths: [require.resolve('@trace/store-sqlite')] }),
  '../..',
);
const old = buildAt(
  PREVIOUS,
  { spec: [], tape: ['spec'], 'store-sqlite': ['spec', 'tape'] },
  {
    links: { 'store-sqlite': { 'better-sqlite3': sqlite } },
    entries: { tape: ['src/backend.ts'] },
    say: (text) => console.log(`format 5 build ${text}`),
  },
);
if (old === undefined) process.exit(0);
const v5 = await importBuilt(old, ['tape', 'store-sqlite']);
const formats = {
  'format 5': { Tape: v5.tape.Tape, open: v5['store-sqlite'].openSqliteStore },
  'format 7': { open: openSqliteStore },
};

const server = await startLlmServer({ respond });
const hooks = { phase() {}, verdict() {}, sampling() {}, toolCall() {} };
try {
  const tapes = {};
  for (const iterations of [10, 50]) {
    const path = join(dir, `recorded-${iterations}.tape.db`);
    await runAgent({ path, id: 'agent', mode: 'record' }, (ctx) =>
      planTrip({
        client: new Anthropic({
          apiKey: 'bench',
          baseURL: server.anthropicBaseURL,
          fetch: ctx.fetch,
          maxRetries: 0,
        }),
        source: ctx.source,
        iterations,
        hooks,
      }),
    );
    const store = openSqliteStore(path, { readonly: true });
    tapes[iterations] = store.load('agent');
    store.close();
  }
  const perIteration = {};
  for (const [name, format] of Object.entries(formats)) {
    const size = (iterations) => {
      const tape = tapes[iterations];
      const path = join(dir, `${name.replace(' ', '')}-${iterations}.tape.db`);
      const store = format.open(path);
      if (format.Tape === undefined) store.save(tape);
      else {
        // The older build's own Tape class: the same events, the same fingerprint.
        const again = format.Tape.create({ id: tape.id, metadata: tape.metadata });
        for (const event of tape.events) again.append(event);
        store.save(again);
      }
      store.close();
      return statSync(path).size;
    };
    perIteration[name] = (size(50) - size(10)) / 40;
    line(
      `${name}: bytes per iteration (50 against 10 iterations)`,
      perIteration[name].toFixed(0),
      'B',
    );
  }
  line(
    'format 7 / format 5',
    (perIteration['format 7'] / perIteration['format 5']).toFixed(2),
    'x',
  );
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
