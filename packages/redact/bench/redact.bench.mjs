// Benchmarks for @trace/redact, run against the built package (`npm run build` first).
// Redaction runs on every recorded request and response and on every live request at replay, so
// these are the shapes that matter: 10 KB JSON request bodies and SSE streams, clean and dirty.
// Each figure is printed with its ratio to baselines measured in the same run on the same bytes:
// a `Buffer.prototype.indexOf` scan for one literal and a `TextDecoder` decode. Asserts nothing:
// speed depends on the machine.
import { fakeCredential } from '@trace/test-utils';
import { compileRedactor } from '../dist/index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TARGET = 10 * 1024;

const WORDS =
  'the agent read the invoice table and summed totals by region before answering the question about late payments in the eu-west accounts for march'.split(
    ' ',
  );
function prose(n, seed) {
  let out = '';
  for (let i = seed; out.length < n; i++) out += `${WORDS[(i * 7) % WORDS.length]} `;
  return out.slice(0, n);
}

/** A Messages API request of about 10 KB: a system prompt, a tool, a conversation. */
function requestBody(secret) {
  const messages = [];
  for (let i = 0; JSON.stringify(messages).length < TARGET - 500; i++) {
    messages.push({ role: i % 2 ? 'assistant' : 'user', content: prose(400, i) });
  }
  if (secret !== undefined) {
    messages.push({ role: 'user', content: `the tool printed: export KEY=${secret} and exited` });
  }
  return JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: 'You are a careful assistant. Use the tools when a question needs data.',
    tools: [
      {
        name: 'query_invoices',
        description: 'Runs a read-only query over the invoice table.',
        input_schema: { type: 'object', properties: { sql: { type: 'string' } } },
      },
    ],
    messages,
    metadata: { user_id: 'user-1234' },
  });
}

/** A streamed Messages API response of about 10 KB in chunks of about 160 bytes. */
function sseStream(secret) {
  const events = [
    `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_01', model: 'claude-sonnet-4-5', usage: { input_tokens: 2100, output_tokens: 1 } } })}\n\n`,
  ];
  for (let i = 0; events.join('').length < TARGET - 200; i++) {
    const text = secret !== undefined && i === 20 ? `your key is ${secret} ` : prose(60, i);
    events.push(
      `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`,
    );
  }
  events.push(
    `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 512 } })}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`,
  );
  const bytes = encoder.encode(events.join(''));
  const chunks = [];
  for (let at = 0, i = 0; at < bytes.length; at += 160, i++) {
    chunks.push({ offsetMs: 5 * i, bytes: bytes.slice(at, at + 160) });
  }
  return chunks;
}

/** Best of five rounds (the machine is shared), as MB/s over `bytes` per call. */
function rate(bytes, fn) {
  const calls = Math.max(200, Math.round((64 * 2 ** 20) / bytes));
  for (let i = 0; i < 200; i++) fn();
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    globalThis.gc?.();
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return (bytes * calls) / 2 ** 20 / (best / 1000);
}

function line(label, mbs, baselines) {
  const ratios = baselines.map(([name, base]) => `${(mbs / base).toFixed(3)}x ${name}`).join(', ');
  console.log(`${label.padEnd(44)} ${mbs.toFixed(0).padStart(7)} MB/s   (${ratios})`);
}

console.log(`@trace/redact bench — node ${process.version}, ${new Date().toISOString()}`);
const redactor = compileRedactor();
const secret = fakeCredential('anthropic_key').text;

for (const [label, body] of [
  ['JSON request body, clean', encoder.encode(requestBody())],
  ['JSON request body, one secret', encoder.encode(requestBody(secret))],
]) {
  if (redactor.redactBody(body, 'application/json') === body && label.includes('secret')) {
    throw new Error('the dirty body came back unchanged');
  }
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const indexOf = rate(body.length, () => buffer.indexOf('sk-ant-'));
  const decode = rate(body.length, () => decoder.decode(body));
  const redact = rate(body.length, () => redactor.redactBody(body, 'application/json'));
  line(`${label} (${(body.length / 1024).toFixed(1)} KB)`, redact, [
    ['indexOf', indexOf],
    ['TextDecoder', decode],
  ]);
}

for (const [label, chunks] of [
  ['SSE stream, clean', sseStream()],
  ['SSE stream, one secret', sseStream(secret)],
]) {
  const size = chunks.reduce((n, c) => n + c.bytes.length, 0);
  const out = redactor.redactStream(chunks, 'text/event-stream');
  if (
    label.includes('secret') &&
    decoder.decode(Buffer.concat(out.map((c) => c.bytes))).includes(secret)
  ) {
    throw new Error('the secret survived the stream');
  }
  const buffers = chunks.map((c) =>
    Buffer.from(c.bytes.buffer, c.bytes.byteOffset, c.bytes.length),
  );
  const indexOf = rate(size, () => {
    for (const b of buffers) b.indexOf('sk-ant-');
  });
  const decode = rate(size, () => {
    for (const c of chunks) decoder.decode(c.bytes, { stream: true });
    decoder.decode();
  });
  const redact = rate(size, () => redactor.redactStream(chunks, 'text/event-stream'));
  line(`${label} (${(size / 1024).toFixed(1)} KB, ${chunks.length} chunks)`, redact, [
    ['indexOf', indexOf],
    ['TextDecoder', decode],
  ]);
}

// Per request, the headers and the URL are redacted too.
const headers = new Headers({
  'content-type': 'application/json',
  'x-api-key': secret,
  'anthropic-version': '2023-06-01',
  'user-agent': 'Anthropic/JS 0.60.0',
  'x-stainless-os': 'Linux',
  accept: 'application/json',
});
const url = 'https://api.anthropic.com/v1/messages?beta=true';
const calls = 200_000;
for (const [label, fn] of [
  ['headers (6, one credential)', () => redactor.redactHeaders(headers)],
  ['URL with a query', () => redactor.redactUrl(url)],
]) {
  for (let i = 0; i < 10_000; i++) fn();
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(44)} ${((calls / ms) * 1000).toFixed(0).padStart(7)} /s`);
}
