// @trace/proxy benchmarks: the latency the proxy adds per request and per streamed chunk, recording
// and replaying, against the same upstream reached directly, in the same run. Figures printed,
// never asserted. Run with `pnpm bench` (after a build).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProxy } from '../dist/index.js';

const EVENTS = 100;
const JSON_BODY = JSON.stringify({ content: [{ type: 'text', text: 'x'.repeat(1024) }] });
/** When the upstream wrote its first streamed event (same process, same clock as the client). */
let firstSent = 0n;
const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/v1/first') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"delta":"first"}\n\n', () => {
        firstSent = process.hrtime.bigint();
      });
      setTimeout(() => res.end('data: {"delta":"last"}\n\n'), 20);
      return;
    }
    if (req.url === '/v1/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < EVENTS; i++) res.write(`data: {"delta":"word ${i} "}\n\n`);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON_BODY);
  });
});
await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const direct = `http://127.0.0.1:${upstream.address().port}`;
const dir = mkdtempSync(join(tmpdir(), 'trace-proxy-bench-'));

const N = 300;
/** `n` calls of `path` through `base`, each read to its end; per-call times in ms. */
async function calls(base, path, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const response = await fetch(`${base}${path}`, { method: 'POST', body: `{"i":${i}}` });
    for await (const _ of response.body);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const print = (name, value, unit) =>
  console.log(`${name.padEnd(62)} ${String(value).padStart(9)} ${unit}`);

for (const [path, label, per] of [
  ['/v1/messages', 'per request, 1 KB JSON', 1],
  ['/v1/stream', `per streamed chunk, ${EVENTS} SSE events`, EVENTS],
]) {
  await calls(direct, path, 50); // warm up
  const base = median(await calls(direct, path, N));
  const store = join(dir, `${path.slice(4)}.tape.db`);
  const recording = await startProxy({
    path: store,
    id: 'bench',
    mode: 'record',
    upstreams: [direct],
    env: {},
    log: () => {},
  });
  const recorded = median(await calls(recording.url, path, N));
  await recording.close();
  const replaying = await startProxy({
    path: store,
    id: 'bench',
    mode: 'replay',
    upstreams: [direct],
    env: {},
    log: () => {},
  });
  const replayed = median(await calls(replaying.url, path, N));
  await replaying.close();
  print(`${label}: upstream directly (baseline, median)`, ((base / per) * 1000).toFixed(1), 'us');
  print(
    `${label}: added by the recording proxy`,
    (((recorded - base) / per) * 1000).toFixed(1),
    'us',
  );
  print(
    `${label}: added by the replaying proxy`,
    (((replayed - base) / per) * 1000).toFixed(1),
    'us',
  );
  print(`${label}: recording / direct`, (recorded / base).toFixed(2), 'x');
}

// Time to first token: from the upstream writing the first event to the client reading it.
{
  const firstChunk = async (base) => {
    const times = [];
    for (let i = 0; i < 60; i++) {
      const response = await fetch(`${base}/v1/first`, { method: 'POST', body: `{"i":${i}}` });
      const reader = response.body.getReader();
      await reader.read();
      times.push(Number(process.hrtime.bigint() - firstSent) / 1e6);
      while (!(await reader.read()).done);
    }
    return median(times.slice(10));
  };
  const base = await firstChunk(direct);
  const recording = await startProxy({
    path: join(dir, 'first.tape.db'),
    id: 'first',
    mode: 'record',
    upstreams: [direct],
    env: {},
    log: () => {},
  });
  const through = await firstChunk(recording.url);
  await recording.close();
  print(
    'first streamed event, upstream write to client read: direct',
    (base * 1000).toFixed(0),
    'us',
  );
  print(
    'first streamed event, upstream write to client read: recording proxy',
    (through * 1000).toFixed(0),
    'us',
  );
  print(
    'first streamed event: added by the recording proxy (target < 5 ms)',
    ((through - base) * 1000).toFixed(0),
    'us',
  );
}

upstream.close();
rmSync(dir, { recursive: true, force: true });
