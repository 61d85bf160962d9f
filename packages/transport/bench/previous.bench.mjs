// Issue #13 changed how replay matches (headers matched by default, issue order, multipart
// boundaries) and how recording hands over whole bodies (at the head, not after the body). This
// times today's build against the previous one (previous-build.mjs) in the same run, on the same
// traffic, in interleaved rounds: replay and recording must cost what they cost before, within noise.
// Everything timed here runs in this process with no I/O (in-memory fetches and sinks), so each
// round is measured in this process's CPU time, which other work on the machine does not inflate
// as it inflates wall-clock time.
import Anthropic from '@anthropic-ai/sdk';
import { Tape } from '@trace/tape';
import * as current from '../dist/index.js';
import { exchangeAt, responseOf } from './llm-exchanges.mjs';
import { buildPrevious, importPrevious, PREVIOUS_COMMIT } from './previous-build.mjs';

const url = 'http://127.0.0.1:9/v1/messages';
const dir = buildPrevious();
if (dir === undefined) process.exit(0);
const previous = await importPrevious(dir);
const sides = {
  previous: { ...previous.transport, Tape: previous.tape.Tape },
  current: { ...current, Tape },
};

/** CPU milliseconds this process has used (user and system). */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
function print(name, value, unit, target) {
  console.log(`${name.padEnd(66)} ${String(value).padStart(9)} ${unit.padEnd(4)} ${target ?? ''}`);
}

/**
 * Runs `work(side)` (which returns ms per operation) for both sides in `rounds` interleaved
 * rounds, alternating which goes first; prints each side's median and the median per-round ratio.
 */
async function compare(title, rounds, work) {
  for (const side of Object.values(sides)) await work(side); // warm up
  const times = { previous: [], current: [] };
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['previous', 'current'] : ['current', 'previous'];
    const round = {};
    for (const name of order) round[name] = await work(sides[name]);
    times.previous.push(round.previous);
    times.current.push(round.current);
    ratios.push(round.current / round.previous);
  }
  print(
    `${title}: previous build (${PREVIOUS_COMMIT}), CPU`,
    (median(times.previous) * 1000).toFixed(1),
    'us',
  );
  print(`${title}: this build, CPU`, (median(times.current) * 1000).toFixed(1), 'us');
  print(
    `${title}: this / previous (median of rounds)`,
    median(ratios).toFixed(2),
    'x',
    'within noise (~1.10x)',
  );
}

// Realistic agent traffic: 200 exchanges of 2-12 KB requests, as the SDK sends them.
const exchanges = Array.from({ length: 200 }, (_, i) => exchangeAt(i, url));
const bodies = exchanges.map((e) => new TextDecoder().decode(e.request.body));
const sdkHeaders = {
  accept: 'application/json',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
  'user-agent': 'Anthropic/JS 1.12.0',
  'x-stainless-retry-count': '0',
};
const tapes = Object.fromEntries(
  Object.entries(sides).map(([name, side]) => {
    const tape = side.Tape.create();
    for (const event of exchanges) tape.append(event);
    return [name, tape];
  }),
);

// 1. Replaying a whole run: index the tape, serve its 200 requests, read every body.
await compare('replay, per realistic exchange', 25, async (side) => {
  const tape = side === sides.current ? tapes.current : tapes.previous;
  const t0 = cpuMs();
  const replay = side.replayFetch({ tape });
  for (const body of bodies) {
    const response = await replay.fetch(url, { method: 'POST', headers: sdkHeaders, body });
    for await (const _ of response.body);
  }
  return (cpuMs() - t0) / bodies.length;
});

// 2. The official Anthropic SDK over a replay, per call.
{
  const params = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hello' }] };
  const answer = exchanges[0].response;
  const n = 200;
  // Each side records its own tape of n calls, through the SDK, from an in-memory fetch.
  const sdkTapes = {};
  for (const [name, side] of Object.entries(sides)) {
    const tape = side.Tape.create();
    const bytes = answer.body.bytes;
    const recording = side.recordFetch({
      fetch: async () => new Response(bytes.slice(), { status: 200, headers: answer.headers }),
      sink: tape,
    });
    const client = new Anthropic({
      apiKey: 'bench',
      baseURL: url.replace('/v1/messages', ''),
      fetch: recording.fetch,
    });
    for (let i = 0; i < n; i++) await client.messages.create(params);
    await recording.close();
    sdkTapes[name] = tape;
  }
  await compare('Anthropic SDK over replay, per call', 15, async (side) => {
    const tape = side === sides.current ? sdkTapes.current : sdkTapes.previous;
    const replay = side.replayFetch({ tape });
    const client = new Anthropic({
      apiKey: 'bench',
      baseURL: url.replace('/v1/messages', ''),
      fetch: replay.fetch,
    });
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) await client.messages.create(params);
    return (cpuMs() - t0) / n;
  });
}

// 3. Recording the same traffic from an in-memory fetch into a sink that keeps nothing.
{
  const answer = (i) => responseOf(exchanges[i]);
  await compare('recording, per realistic exchange', 15, async (side) => {
    let at = 0;
    const recording = side.recordFetch({
      fetch: async () => answer(at++ % exchanges.length),
      sink: { append() {} },
    });
    const t0 = cpuMs();
    for (const body of bodies) {
      const response = await recording.fetch(url, { method: 'POST', headers: sdkHeaders, body });
      for await (const _ of response.body);
    }
    const ms = (cpuMs() - t0) / bodies.length;
    await recording.close();
    return ms;
  });
}
