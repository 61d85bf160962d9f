// The round trip of a tape: record a run, save it, reopen it, verify it, replay it with the server
// stopped, and print a receipt.
//   node demo.mjs [--out <dir>]     (default: a new temporary folder; the path is printed)
// The run is small but real: it reads the clock and a random number straight from the platform,
// and makes HTTP calls to a server on 127.0.0.1 (one JSON response, one streamed server-sent-events
// response, and one refused connection). `runAgent` from @trace/run records it — the clock and the
// random number as draws of a nondeterminism source, each exchange as it happens, chunk
// boundaries and all, in the order they happened — and replays it from the tape alone.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runAgent } from '@trace/run';
import { openSqliteStore, verifyTape } from '@trace/store-sqlite';

const outAt = process.argv.indexOf('--out');
const dir =
  outAt > 0
    ? resolve(process.argv[outAt + 1] ?? '.trace-demo')
    : mkdtempSync(join(tmpdir(), 'trace-demo-'));
mkdirSync(dir, { recursive: true });
const path = join(dir, 'run.tape.db');
rmSync(path, { force: true });

const server = await startServer();
const base = `http://127.0.0.1:${server.address().port}`;
const closedPort = await releasedPort();

/** The run, as a function of its context. What it reads from the platform is served by the run. */
async function agent({ fetch, annotate }) {
  const startedAt = Date.now();
  const roll = Math.random();
  const post = (url, payload) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
  const hello = await post(`${base}/v1/messages`, {
    model: 'demo',
    messages: [{ role: 'user', content: `Hello! It is ${startedAt}.` }],
  }).then((response) => response.json());
  const events = await post(`${base}/v1/stream`, { model: 'demo', stream: true, roll }).then(
    (response) => response.text(),
  );
  const refused = await post(`http://127.0.0.1:${closedPort}/unreachable`, { model: 'demo' }).then(
    () => 'answered',
    (error) => error.cause?.code ?? error.message,
  );
  annotate({ label: 'run finished', toolCalls: 0 });
  return { startedAt, roll, hello, events, refused };
}

// 1. Record. The demo records, then replays, whatever TRACE_MODE or CI say.
const id = `demo-${randomUUID()}`;
const options = {
  path,
  id,
  env: {},
  metadata: {
    boundary: { captured: ['http', 'clock', 'random'] },
    user: { example: 'tape-roundtrip' },
  },
};
const recorded = await runAgent({ ...options, mode: 'record' }, agent);
await new Promise((closed) => server.close(closed));

// 2. Reopen, 3. verify.
const reopened = openSqliteStore(path, { readonly: true });
const tape = reopened.load(id);
const [summary] = reopened.list();
reopened.close();
const report = verifyTape(path);
const exchanges = tape.events.filter((event) => event.type === 'exchange');
const stream = exchanges[1].response?.body;

// 4. Replay with the server stopped: the clock, the random number and every answer from the tape.
const replayed = await runAgent({ ...options, mode: 'replay' }, agent).catch((error) => ({
  error,
}));
const proof = replayed.report;

const checks = [
  [
    'the file reopens and holds every event, in the order they happened',
    tape.events.map((event) => event.type).join(' ') ===
      'draw draw exchange exchange exchange annotation' && summary.eventCount === 6,
  ],
  [
    'the clock and the random number are draws, as a nondeterminism source made them',
    tape.events
      .filter((event) => event.type === 'draw')
      .map((event) => event.kind)
      .join(' ') === 'clock.wall random.float',
  ],
  [
    'fingerprint after reopen equals the recorded one',
    tape.complete && tape.fingerprint === recorded.report.fingerprint,
  ],
  [
    'the streamed response kept its chunk boundaries',
    stream?.kind === 'stream' && stream.chunks.length === 3,
  ],
  [
    'the refused connection was kept as a transport error',
    exchanges[2].error?.code === 'ECONNREFUSED' && recorded.value.refused === 'ECONNREFUSED',
  ],
  ['verify: every blob re-hashed, the chain recomputed', report.ok],
  [
    'replayed with the server stopped: the same output',
    proof !== undefined && JSON.stringify(replayed.value) === JSON.stringify(recorded.value),
  ],
  [
    'replay: every exchange matched by hash and every draw consumed, fingerprint unchanged',
    proof?.mode === 'replay' &&
      proof.exchanges.matched === 3 &&
      proof.exchanges.unconsumed.length === 0 &&
      proof.draws.consumed === 2 &&
      proof.draws.unconsumed === 0 &&
      proof.fingerprint === tape.fingerprint,
  ],
];

console.log('@trace/tape round trip');
console.log(`  tape file:    ${path}`);
console.log(`  run id:       ${tape.id}`);
console.log(`  events:       ${JSON.stringify(tape.counts)}`);
console.log(`  fingerprint:  ${tape.fingerprint}`);
console.log(`  blobs:        ${report.blobsChecked} (${report.bytesChecked} bytes)`);
if (replayed.error !== undefined) console.log(`  replay failed: ${replayed.error.message}`);
for (const [name, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}`);
const failed = checks.filter(([, ok]) => !ok).length;
console.log(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
process.exitCode = failed === 0 ? 0 : 1;

/** A loopback port that nothing listens on any more: connecting to it is refused. */
async function releasedPort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A server on 127.0.0.1 that answers JSON, or streams three server-sent events a few ms apart. */
function startServer() {
  const server = createServer(async (req, res) => {
    for await (const _ of req);
    if (req.url === '/v1/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const text of ['Hel', 'lo', '!']) {
        res.write(`event: delta\ndata: ${JSON.stringify({ text })}\n\n`);
        await new Promise((r) => setTimeout(r, 15));
      }
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'msg_1', content: [{ type: 'text', text: 'Hello!' }] }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
