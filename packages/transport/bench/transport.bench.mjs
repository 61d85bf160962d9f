// @trace/transport benchmarks: figures printed, never asserted. Run with `pnpm bench` (after a build).
import { createServer } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { Tape } from '@trace/tape';
import { recordFetch, replayFetch } from '../dist/index.js';

const results = [];
function report(name, value, unit, target, met) {
  results.push({ name, met });
  const verdict = met === undefined ? '' : met ? '  MET' : '  NOT MET';
  console.log(
    `${name.padEnd(62)} ${String(value).padStart(10)} ${unit.padEnd(10)} ${target ?? ''}${verdict}`,
  );
}

// A loopback server answering a 10 KB JSON body to every request.
const PAYLOAD = JSON.stringify({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'm',
  content: [{ type: 'text', text: 'x'.repeat(10 * 1024) }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 1, output_tokens: 1 },
});
const server = createServer(async (req, res) => {
  for await (const _ of req);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(PAYLOAD),
  });
  res.end(PAYLOAD);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/v1/messages`;
const requestBody = JSON.stringify({
  model: 'm',
  max_tokens: 10,
  messages: [{ role: 'user', content: 'y'.repeat(10 * 1024) }],
});

async function timeLoop(n, fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

// Interleave the two sides in rounds so drift in the machine's load hits both alike.
async function compare(rounds, n, a, b) {
  let ta = Number.POSITIVE_INFINITY;
  let tb = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    ta = Math.min(ta, await timeLoop(n, a));
    tb = Math.min(tb, await timeLoop(n, b));
  }
  return [ta, tb];
}

// 1. Record overhead per exchange against a direct fetch, 10 KB request and response bodies.
{
  const post = (f) =>
    f(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: requestBody,
    }).then((r) => r.arrayBuffer());
  await timeLoop(200, () => post(fetch)); // warm-up
  let tape = Tape.create();
  let recording = recordFetch({ sink: tape });
  const [direct, recorded] = await compare(
    5,
    300,
    () => post(fetch),
    () => {
      if (tape.events.length > 2000) {
        tape = Tape.create();
        recording = recordFetch({ sink: tape });
      }
      return post(recording.fetch);
    },
  );
  report('direct fetch, 10 KB bodies (baseline)', direct.toFixed(3), 'ms');
  report('recording fetch into an in-memory tape', recorded.toFixed(3), 'ms');
  report(
    'record overhead ratio',
    (recorded / direct).toFixed(2),
    'x',
    '<= 1.10x',
    recorded / direct <= 1.1,
  );
}

// 2. Replay through the official Anthropic SDK, against the same SDK over an in-memory fetch of the same bytes.
{
  const tape = Tape.create();
  const recording = recordFetch({ sink: tape });
  const params = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hello' }] };
  const n = 500;
  const recordClient = new Anthropic({
    apiKey: 'bench',
    baseURL: url.replace('/v1/messages', ''),
    fetch: recording.fetch,
  });
  for (let i = 0; i < n; i++) await recordClient.messages.create(params);
  await recording.close();
  const bytes = new TextEncoder().encode(PAYLOAD);
  const inMemory = async () =>
    new Response(bytes.slice(), { status: 200, headers: { 'content-type': 'application/json' } });
  const memoryClient = new Anthropic({
    apiKey: 'bench',
    baseURL: url.replace('/v1/messages', ''),
    fetch: inMemory,
  });
  let replay = replayFetch({ tape });
  let replayClient = new Anthropic({
    apiKey: 'bench',
    baseURL: url.replace('/v1/messages', ''),
    fetch: replay.fetch,
  });
  let served = 0;
  const [memory, replayed] = await compare(
    5,
    n,
    () => memoryClient.messages.create(params),
    () => {
      if (served++ % n === 0) {
        replay = replayFetch({ tape });
        replayClient = new Anthropic({
          apiKey: 'bench',
          baseURL: url.replace('/v1/messages', ''),
          fetch: replay.fetch,
        });
      }
      return replayClient.messages.create(params);
    },
  );
  report('Anthropic SDK over an in-memory fetch (baseline)', memory.toFixed(3), 'ms');
  report('Anthropic SDK over replay', replayed.toFixed(3), 'ms');
  report(
    'replay through the SDK ratio',
    (replayed / memory).toFixed(2),
    'x',
    '<= 1.20x',
    replayed / memory <= 1.2,
  );
}

// 3. Time per replayed request on a 10,000-exchange tape against a 10-exchange tape.
{
  const tapeOf = (count) => {
    const tape = Tape.create();
    const body = new TextEncoder().encode('{"ok":true}');
    for (let i = 0; i < count; i++) {
      tape.append({
        type: 'exchange',
        request: {
          method: 'POST',
          url,
          headers: [],
          body: new TextEncoder().encode(JSON.stringify({ i })),
        },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'application/json']],
          body: { kind: 'bytes', bytes: body },
        },
      });
    }
    return tape;
  };
  const small = tapeOf(10);
  const large = tapeOf(10_000);
  const perRequest = async (tape, requests) => {
    const replay = replayFetch({ tape });
    globalThis.gc?.(); // indexing a large tape leaves garbage; collect it outside the timed part
    const t0 = process.hrtime.bigint();
    for (const i of requests)
      await (
        await replay.fetch(url, { method: 'POST', body: JSON.stringify({ i }) })
      ).arrayBuffer();
    return Number(process.hrtime.bigint() - t0) / 1e6 / requests.length;
  };
  const smallIds = Array.from({ length: 10 }, (_, i) => i);
  // The same 10 requests, taken from across the large tape (its last exchanges are hardest for a scan).
  const largeIds = Array.from({ length: 10 }, (_, i) => 9990 + i);
  let tSmall = Number.POSITIVE_INFINITY;
  let tLarge = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 30; r++) {
    tSmall = Math.min(tSmall, await perRequest(small, smallIds));
    tLarge = Math.min(tLarge, await perRequest(large, largeIds));
  }
  report('replayed request on a 10-exchange tape (baseline)', (tSmall * 1000).toFixed(1), 'us');
  report('replayed request on a 10,000-exchange tape', (tLarge * 1000).toFixed(1), 'us');
  report(
    '10,000 / 10 exchanges ratio',
    (tLarge / tSmall).toFixed(2),
    'x',
    '<= 1.50x',
    tLarge / tSmall <= 1.5,
  );
}

// 4. Streamed-chunk replay throughput.
{
  const chunks = Array.from({ length: 10_000 }, (_, i) => ({
    offsetMs: i * 0.1,
    bytes: new TextEncoder().encode(
      `event: content_block_delta\ndata: {"delta":{"text":"${i}"}}\n\n`,
    ),
  }));
  const tape = Tape.create();
  tape.append({
    type: 'exchange',
    request: { method: 'POST', url, headers: [], body: null },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [['content-type', 'text/event-stream']],
      body: { kind: 'stream', chunks, end: { kind: 'complete' } },
    },
  });
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const replay = replayFetch({ tape });
    const t0 = process.hrtime.bigint();
    let count = 0;
    for await (const _ of (await replay.fetch(url, { method: 'POST' })).body) count++;
    if (count !== chunks.length) throw new Error('lost chunks');
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  report(
    'streamed chunks replayed per second (10,000-chunk stream)',
    Math.round(chunks.length / best),
    'chunks/s',
  );
}

server.close();
const missed = results.filter((r) => r.met === false);
console.log(
  missed.length === 0
    ? '\nall targets met'
    : `\n${missed.length} target(s) not met: ${missed.map((r) => r.name).join('; ')}`,
);
