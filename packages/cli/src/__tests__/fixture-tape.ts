/**
 * A tape written event by event with fixed content, so that `trace show` prints the same text on
 * every run: an Anthropic stream with a tool call, an OpenAI stream with usage, a JSON exchange
 * that followed a redirect, an exchange that failed, draws and an annotation. The SSE frames are
 * the providers' wire formats, cut into chunks across frame boundaries as a network would.
 */
import { Tape } from '@trace/tape';

const encoder = new TextEncoder();
const sse = (frames: readonly unknown[], event = true) =>
  frames
    .map((data) => {
      const type = (data as { type?: string }).type;
      return `${event && type ? `event: ${type}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
    })
    .join('');

/** Cuts `text` into `n` chunks, 10 ms apart. */
function chunks(text: string, n: number) {
  const size = Math.ceil(text.length / n);
  return Array.from({ length: n }, (_, i) => ({
    offsetMs: 10 * (i + 1),
    bytes: encoder.encode(text.slice(i * size, (i + 1) * size)),
  }));
}

const anthropicStream = sse([
  {
    type: 'message_start',
    message: {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-fixture',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 21, output_tokens: 1 },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking ' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'the weather.' } },
  { type: 'content_block_stop', index: 0 },
  {
    type: 'content_block_start',
    index: 1,
    content_block: { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} },
  },
  {
    type: 'content_block_delta',
    index: 1,
    delta: { type: 'input_json_delta', partial_json: '{"city": "Li' },
  },
  {
    type: 'content_block_delta',
    index: 1,
    delta: { type: 'input_json_delta', partial_json: 'ma"}' },
  },
  { type: 'content_block_stop', index: 1 },
  {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 17 },
  },
  { type: 'message_stop' },
]);

const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-01',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-fixture',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  usage: null,
});
const openaiStream = sse(
  [
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'Lima is ' }),
    chunk({ content: 'cloudy, 22°C.' }),
    chunk({}, 'stop'),
    {
      id: 'chatcmpl-01',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'gpt-fixture',
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    },
    '[DONE]',
  ],
  false,
);

const json = (value: unknown) => encoder.encode(JSON.stringify(value));
const headers = [['content-type', 'application/json']] as const;
const sseHeaders = [['content-type', 'text/event-stream']] as const;

export function fixtureTape(id = 'fixture'): Tape {
  const tape = Tape.create({
    id,
    metadata: {
      createdAt: '2026-01-02T03:04:05.000Z',
      recorder: { name: 'fixture', version: '1.0.0' },
    },
  });
  tape.append({ type: 'draw', kind: 'clock.wall', value: 1_767_323_045_000 });
  tape.append({ type: 'draw', kind: 'uuid.v4', value: '00000000-0000-4000-8000-000000000001' });
  tape.append({
    type: 'exchange',
    issueIndex: 0,
    timing: { headersMs: 5, endMs: 110 },
    request: {
      method: 'POST',
      url: 'https://api.anthropic.com/v1/messages',
      headers,
      body: json({
        model: 'claude-fixture',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'Weather in Lima?' }],
      }),
    },
    response: {
      status: 200,
      statusText: 'OK',
      headers: sseHeaders,
      body: { kind: 'stream', chunks: chunks(anthropicStream, 4), end: { kind: 'complete' } },
    },
  });
  tape.append({ type: 'annotation', data: { tool: 'get_weather', city: 'Lima' } });
  tape.append({
    type: 'exchange',
    issueIndex: 2,
    timing: { headersMs: 3, endMs: 60 },
    request: {
      method: 'POST',
      url: 'https://api.openai.com/v1/chat/completions',
      headers,
      body: json({
        model: 'gpt-fixture',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Weather in Lima?' }],
      }),
    },
    response: {
      status: 200,
      statusText: 'OK',
      headers: sseHeaders,
      body: { kind: 'stream', chunks: chunks(openaiStream, 3), end: { kind: 'complete' } },
    },
  });
  tape.append({
    type: 'exchange',
    issueIndex: 1,
    timing: { headersMs: 7, endMs: 8 },
    request: {
      method: 'GET',
      url: 'https://example.test/weather?city=Lima',
      headers: [],
      body: null,
    },
    response: {
      status: 200,
      statusText: 'OK',
      headers,
      body: { kind: 'bytes', bytes: json({ city: 'Lima', tempC: 22 }) },
      redirectedTo: 'https://example.test/v2/weather?city=Lima',
    },
  });
  tape.append({
    type: 'exchange',
    issueIndex: 3,
    request: { method: 'GET', url: 'https://example.test/down', headers: [], body: null },
    error: { name: 'TypeError', message: 'fetch failed', code: 'ECONNRESET' },
  });
  return tape;
}
