// Format 6 (blobs in chunks, streams kept whole) against format 5 (a blob per body and per stream
// chunk, as the release before stored them), both measured in this run: figures printed, never
// asserted. The format-5 store is built from commit 5f0a2fa (the last before format 6).
//   node --expose-gc bench/chunks.bench.mjs [--quick]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tape } from '@trace/tape';
import { printFigure } from '@trace/test-utils';
import { buildAt, importBuilt } from '../../transport/bench/build-at.mjs';
import { openSqliteStore } from '../dist/index.js';

const PREVIOUS = '5f0a2fa';
const quick = process.argv.includes('--quick');
const dir = mkdtempSync(join(tmpdir(), 'trace-chunks-bench-'));
const require = createRequire(import.meta.url);
const figure = (name, value, unit, target, met) => printFigure({ name, value, unit, target, met });

const old = buildAt(
  PREVIOUS,
  { spec: [], tape: ['spec'], 'store-sqlite': ['spec', 'tape'] },
  {
    links: {
      'store-sqlite': { 'better-sqlite3': join(require.resolve('better-sqlite3'), '../..') },
    },
    entries: { tape: ['src/backend.ts'] },
    say: (line) => console.log(`format 5 build ${line}`),
  },
);
if (old === undefined) process.exit(0);
const v5 = await importBuilt(old, ['tape', 'store-sqlite']);
const layouts = {
  'format 5': { Tape: v5.tape.Tape, open: v5['store-sqlite'].openSqliteStore },
  'format 6': { Tape, open: openSqliteStore },
};

// --- Words for text that compresses like prose, not like noise ---------------------------------
const WORDS =
  'the of and to in is you that it was for on are as with his they at be this have from or one had by word but not what all were we when your can said there use an each which she do how their if will up other about out many then them these so some her would make like him into time has look two more write go see number no way could people my than first water been call who its now find long down day did get come made may part'.split(
    ' ',
  );
let state = 1;
const random = () => {
  state = (state * 1103515245 + 12345) & 0x7fffffff;
  return state / 0x7fffffff;
};
const prose = (length) => {
  let text = '';
  while (text.length < length) text += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return text.slice(0, length);
};
const utf8 = (text) => new Uint8Array(Buffer.from(text, 'utf8'));
const sse = (frames) => frames.map((frame) => `data: ${JSON.stringify(frame)}\n\n`).join('');
/** A streamed body: the text cut into deltas of ~20 characters, ~4 frames a network chunk. */
function streamed(provider, text) {
  const deltas = text.match(/.{1,20}/gs) ?? [];
  const frames =
    provider === 'anthropic'
      ? [
          { type: 'message_start', message: { id: 'msg', role: 'assistant', content: [] } },
          ...deltas.map((t) => ({
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: t },
          })),
          { type: 'message_stop' },
        ]
      : [
          ...deltas.map((t) => ({ id: 'c', choices: [{ index: 0, delta: { content: t } }] })),
          '[DONE]',
        ];
  const chunks = [];
  for (let i = 0; i < frames.length; i += 4)
    chunks.push({ offsetMs: i * 5, bytes: utf8(sse(frames.slice(i, i + 4))) });
  return { kind: 'stream', chunks, end: { kind: 'complete' } };
}

/**
 * A 50-turn conversation in a provider's shape: a ~4 KB system prompt and ~2 KB of tools sent
 * every turn, ~1.5 KB of new text a turn (the user's and the assistant's), every third turn
 * streamed. Returns the tape after `turns` turns and the bytes of its unique content: the system
 * prompt and tools once, and each turn's new message and response.
 */
function conversation(TapeClass, provider, turns, seed) {
  state = seed;
  const system = prose(4096);
  const tools = Array.from({ length: 4 }, (_, i) => ({
    name: `tool_${i}`,
    description: prose(400),
    input_schema: { type: 'object', properties: { q: { type: 'string' } } },
  }));
  const tape = TapeClass.create({ id: `${provider}-${turns}` });
  const messages = provider === 'anthropic' ? [] : [{ role: 'system', content: system }];
  let unique = JSON.stringify(system).length + JSON.stringify(tools).length;
  let text = system.length + JSON.stringify(tools).length;
  for (let turn = 0; turn < turns; turn++) {
    const user = prose(500);
    const reply = prose(1000);
    messages.push({ role: 'user', content: user });
    const stream = turn % 3 === 2;
    const request =
      provider === 'anthropic'
        ? { model: 'claude-x', max_tokens: 1024, system, tools, messages, stream }
        : {
            model: 'gpt-x',
            tools: tools.map((f) => ({ type: 'function', function: f })),
            messages,
            stream,
          };
    const body = stream
      ? streamed(provider, reply)
      : {
          kind: 'bytes',
          bytes: utf8(
            JSON.stringify(
              provider === 'anthropic'
                ? { id: `msg_${turn}`, role: 'assistant', content: [{ type: 'text', text: reply }] }
                : {
                    id: `chatcmpl_${turn}`,
                    choices: [{ index: 0, message: { role: 'assistant', content: reply } }],
                  },
            ),
          ),
        };
    text += user.length + reply.length;
    // What is new this turn: the user's message as sent, and the response as received (a
    // stream's bytes, framing and all). The assistant's message sent back next turn is not new.
    unique +=
      JSON.stringify(messages.at(-1)).length +
      (body.kind === 'bytes'
        ? body.bytes.length
        : body.chunks.reduce((n, chunk) => n + chunk.bytes.length, 0));
    tape.append({
      type: 'exchange',
      request: {
        method: 'POST',
        url:
          provider === 'anthropic'
            ? 'https://api.anthropic.com/v1/messages'
            : 'https://api.openai.com/v1/chat/completions',
        headers: [['content-type', 'application/json']],
        body: utf8(JSON.stringify(request)),
      },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [['content-type', stream ? 'text/event-stream' : 'application/json']],
        body,
      },
    });
    messages.push(
      provider === 'anthropic'
        ? { role: 'assistant', content: [{ type: 'text', text: reply }] }
        : { role: 'assistant', content: reply },
    );
  }
  return { tape, unique, text };
}

/** Bytes of every body and stream chunk the tape holds: what whole-body storage (HAR, nock) keeps. */
function wholeBodies(tape) {
  let bytes = 0;
  for (const event of tape.events) {
    if (event.type !== 'exchange') continue;
    bytes += event.request.body?.length ?? 0;
    const body = event.response?.body;
    if (body?.kind === 'bytes') bytes += body.bytes.length;
    if (body?.kind === 'stream') for (const chunk of body.chunks) bytes += chunk.bytes.length;
  }
  return bytes;
}

/**
 * Chat traffic of `count` exchanges: conversations of 10 turns each (so bodies share their
 * messages as real agents' do), every fourth response streamed.
 */
function chatTraffic(count) {
  const events = [];
  for (let c = 0; events.length < count; c++) {
    const { tape } = conversation(Tape, c % 2 ? 'openai' : 'anthropic', 10, c + 1);
    for (const event of tape.events) if (events.length < count) events.push(event);
  }
  return events;
}

/** About `bytes` of traffic: whole conversations of 20 turns, streamed and not. */
function bulkTraffic(bytes) {
  const events = [];
  let total = 0;
  for (let c = 0; total < bytes; c++) {
    const { tape } = conversation(Tape, c % 2 ? 'openai' : 'anthropic', 20, c + 1);
    events.push(...tape.events);
    total += wholeBodies(tape);
  }
  return events;
}

/** Saves `tapes` into a new file of `layout` and returns its size once closed. */
function fileWith(layout, name, tapes) {
  const path = join(dir, `${name}-${layout.replace(' ', '')}.tape.db`);
  const store = layouts[layout].open(path);
  for (const tape of tapes) store.save(tape);
  store.close();
  return statSync(path).size;
}

try {
  console.log(
    '1. A 50-turn conversation in each provider shape (Anthropic and OpenAI), bytes on disk',
  );
  for (const turns of [10, 25, 50]) {
    const made = {};
    for (const layout of Object.keys(layouts)) {
      const a = conversation(layouts[layout].Tape, 'anthropic', turns, 1);
      const o = conversation(layouts[layout].Tape, 'openai', turns, 2);
      made[layout] = {
        size: fileWith(layout, `chat-${turns}`, [a.tape, o.tape]),
        unique: a.unique + o.unique,
        text: a.text + o.text,
        whole: wholeBodies(a.tape) + wholeBodies(o.tape),
      };
    }
    const { unique, whole, text } = made['format 6'];
    figure(`turn ${turns}: unique content (new messages, responses as received)`, unique, 'B');
    figure(`turn ${turns}: of which the text alone (prompt, tools, new text)`, text, 'B');
    figure(`turn ${turns}: whole bodies / text alone`, (whole / text).toFixed(1), 'x');
    figure(
      `turn ${turns}: format 6 file / text alone`,
      (made['format 6'].size / text).toFixed(2),
      'x',
    );
    figure(
      `turn ${turns}: whole bodies (what HAR, nock keep) / unique`,
      (whole / unique).toFixed(1),
      'x',
    );
    figure(
      `turn ${turns}: format 5 file / unique`,
      (made['format 5'].size / unique).toFixed(2),
      'x',
    );
    const ratio = made['format 6'].size / unique;
    figure(
      `turn ${turns}: format 6 file / unique`,
      ratio.toFixed(2),
      'x',
      turns === 50 ? '<= 2.00' : undefined,
      turns === 50 ? ratio <= 2 : undefined,
    );
  }

  const EXCHANGES = quick ? 2000 : 10_000;
  console.log(`2. ${EXCHANGES} exchanges of chat traffic: recording, and loading for replay`);
  {
    const events = chatTraffic(EXCHANGES);
    const timings = {};
    for (const round of [1, 2, 3]) {
      for (const layout of Object.keys(layouts)) {
        const path = join(dir, `traffic-${round}-${layout.replace(' ', '')}.tape.db`);
        const store = layouts[layout].open(path, { durability: 'normal' });
        const recorder = store.record({ id: 'traffic' });
        globalThis.gc?.();
        let t = process.hrtime.bigint();
        for (const event of events) recorder.append(event);
        recorder.finish();
        const record = Number(process.hrtime.bigint() - t) / 1e6;
        store.close();
        const reader = layouts[layout].open(path, { readonly: true });
        globalThis.gc?.();
        t = process.hrtime.bigint();
        reader.load('traffic');
        const load = Number(process.hrtime.bigint() - t) / 1e6;
        reader.close();
        timings[layout] = [...(timings[layout] ?? []), { record, load, size: statSync(path).size }];
      }
    }
    const best = (layout, key) => Math.min(...timings[layout].map((t) => t[key]));
    for (const layout of Object.keys(layouts)) {
      figure(
        `${layout}: record, per exchange (best of 3)`,
        ((best(layout, 'record') * 1000) / EXCHANGES).toFixed(1),
        'µs',
      );
      figure(
        `${layout}: load for replay, per request (best of 3)`,
        ((best(layout, 'load') * 1000) / EXCHANGES).toFixed(1),
        'µs',
      );
      figure(`${layout}: file`, timings[layout][0].size, 'B');
    }
    // The default durability ('full': a flush to disk per append), on the first 500 exchanges.
    const durable = {};
    for (const layout of Object.keys(layouts)) {
      const path = join(dir, `durable-${layout.replace(' ', '')}.tape.db`);
      const store = layouts[layout].open(path);
      const recorder = store.record({ id: 'durable' });
      const t = process.hrtime.bigint();
      for (const event of events.slice(0, 500)) recorder.append(event);
      recorder.finish();
      durable[layout] = Number(process.hrtime.bigint() - t) / 1e6 / 500;
      store.close();
      figure(
        `${layout}: record with durability full, per exchange`,
        (durable[layout] * 1000).toFixed(0),
        'µs',
      );
    }
    figure(
      'recording, durability full: format 6 / format 5',
      (durable['format 6'] / durable['format 5']).toFixed(2),
      'x',
    );
    const recordRatio = best('format 6', 'record') / best('format 5', 'record');
    const loadRatio = best('format 6', 'load') / best('format 5', 'load');
    figure(
      'recording: format 6 / format 5',
      recordRatio.toFixed(2),
      'x',
      '<= 1.20',
      recordRatio <= 1.2,
    );
    figure(
      'replay load: format 6 / format 5',
      loadRatio.toFixed(2),
      'x',
      '<= 1.20',
      loadRatio <= 1.2,
    );
  }

  const MEGABYTES = quick ? 20 : 100;
  console.log(`3. Open and verify a store of ${MEGABYTES} MB of recorded traffic`);
  {
    const events = bulkTraffic(MEGABYTES * 1024 * 1024);
    const timings = {};
    const paths = {};
    for (const layout of Object.keys(layouts)) {
      paths[layout] = join(dir, `bulk-${layout.replace(' ', '')}.tape.db`);
      const store = layouts[layout].open(paths[layout], { durability: 'normal' });
      const recorder = store.record({ id: 'bulk' });
      for (const event of events) recorder.append(event);
      recorder.finish();
      store.close();
    }
    for (const _round of [1, 2]) {
      for (const layout of Object.keys(layouts)) {
        globalThis.gc?.();
        const t = process.hrtime.bigint();
        const store = layouts[layout].open(paths[layout], { readonly: true });
        const report = store.verify();
        store.close();
        if (!report.ok)
          throw new Error(`${layout} did not verify: ${JSON.stringify(report.problems[0])}`);
        timings[layout] = [...(timings[layout] ?? []), Number(process.hrtime.bigint() - t) / 1e6];
      }
    }
    for (const layout of Object.keys(layouts)) {
      figure(`${layout}: file`, statSync(paths[layout]).size, 'B');
      figure(`${layout}: open + verify (best of 2)`, Math.min(...timings[layout]).toFixed(0), 'ms');
    }
    const ratio = Math.min(...timings['format 6']) / Math.min(...timings['format 5']);
    figure('open + verify: format 6 / format 5', ratio.toFixed(2), 'x', '<= 1.20', ratio <= 1.2);
  }
} finally {
  if (process.env.KEEP) console.log('kept', dir);
  else rmSync(dir, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
}
