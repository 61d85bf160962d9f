// The round trip of a tape: record a run, save it, reopen it, verify it, and print a receipt.
//   node demo.mjs [--out <dir>]     (default: a new temporary folder; the path is printed)
// The run is small but real: it reads the clock and random numbers, and makes HTTP calls to a
// server on 127.0.0.1 (one JSON response, one streamed server-sent-events response, and one
// refused connection), recording each exchange as it happens, chunk boundaries and all.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

// 1. Record.
const store = openSqliteStore(path);
const recorder = store.record({
  id: `demo-${randomUUID()}`,
  metadata: {
    boundary: { captured: ['http', 'clock', 'random'] },
    user: { example: 'tape-roundtrip' },
  },
});
recorder.append({ type: 'draw', kind: 'clock.wall', value: Date.now() });
recorder.append({ type: 'draw', kind: 'random.float', value: Math.random() });
recorder.append(
  await recordExchange(`${base}/v1/messages`, {
    model: 'demo',
    messages: [{ role: 'user', content: 'Hello' }],
  }),
);
recorder.append(await recordExchange(`${base}/v1/stream`, { model: 'demo', stream: true }));
recorder.append(
  await recordExchange(`http://127.0.0.1:${closedPort}/unreachable`, { model: 'demo' }),
);
recorder.append({ type: 'annotation', data: { label: 'run finished', toolCalls: 0 } });
recorder.finish();
const recordedFingerprint = recorder.fingerprint;
store.close();
server.close();

// 2. Reopen, 3. verify.
const reopened = openSqliteStore(path, { readonly: true });
const tape = reopened.load(recorder.id);
const [summary] = reopened.list();
reopened.close();
const report = verifyTape(path);
const stream = tape.events[3].response.body;

const checks = [
  ['the file reopens and holds every event', tape.events.length === 6 && summary.eventCount === 6],
  ['fingerprint after reopen equals the recorded one', tape.fingerprint === recordedFingerprint],
  [
    'the streamed response kept its chunk boundaries',
    stream.kind === 'stream' && stream.chunks.length === 3,
  ],
  [
    'the refused connection was kept as a transport error',
    tape.events[4].error?.code === 'ECONNREFUSED',
  ],
  ['verify: every blob re-hashed, the chain recomputed', report.ok],
];

console.log('@trace/tape round trip');
console.log(`  tape file:    ${path}`);
console.log(`  run id:       ${tape.id}`);
console.log(`  events:       ${JSON.stringify(tape.counts)}`);
console.log(`  fingerprint:  ${tape.fingerprint}`);
console.log(`  blobs:        ${report.blobsChecked} (${report.bytesChecked} bytes)`);
for (const [name, ok] of checks) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${name}`);
const failed = checks.filter(([, ok]) => !ok).length;
console.log(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
process.exitCode = failed === 0 ? 0 : 1;

/** Makes a real request and records it as an exchange event: status, headers, body or chunks. */
async function recordExchange(url, payload) {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const request = { method: 'POST', url, headers: [['content-type', 'application/json']], body };
  const started = performance.now();
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  } catch (error) {
    return {
      type: 'exchange',
      request,
      error: { name: error.name, message: error.message, code: error.cause?.code },
    };
  }
  const headers = [...response.headers].filter(([name]) => name === 'content-type');
  const head = { status: response.status, statusText: response.statusText, headers };
  if (!headers.some(([, value]) => value.startsWith('text/event-stream'))) {
    return {
      type: 'exchange',
      request,
      response: {
        ...head,
        body: { kind: 'bytes', bytes: new Uint8Array(await response.arrayBuffer()) },
      },
    };
  }
  const chunks = [];
  for await (const bytes of response.body)
    chunks.push({ offsetMs: performance.now() - started, bytes });
  return {
    type: 'exchange',
    request,
    response: { ...head, body: { kind: 'stream', chunks, end: { kind: 'complete' } } },
  };
}

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
