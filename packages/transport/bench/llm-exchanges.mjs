// Realistic LLM traffic for the benchmarks: agent runs of 20 turns against the Anthropic Messages
// API, each request carrying the system prompt, two tool definitions and the whole conversation so
// far (2 KB at the first turn, some 10 KB at the last); three responses in four whole JSON
// messages, every fourth streamed as 100 server-sent events (message_start, content_block_start,
// 96 content_block_delta, content_block_stop, message_delta), as the API sends them.
const encoder = new TextEncoder();
const WORDS = (
  'the a plan trip city weather museum train hotel budget morning evening river walk day visit ' +
  'food market old town bridge tower garden ticket price route map sunny rain cloudy warm cold ' +
  'north south east west'
).split(' ');

/** A deterministic generator of numbers in [0, 1). */
function random(seed) {
  let x = (seed * 2654435761 + 1) >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

function words(next, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(next() * WORDS.length)]);
  return out.join(' ');
}

const SYSTEM = `You are a careful travel-planning agent. ${words(random(1), 180)}`;
const TOOLS = [
  {
    name: 'get_weather',
    description: `Current weather for a city. ${words(random(2), 30)}`,
    input_schema: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['c', 'f'] },
      },
      required: ['city'],
    },
  },
  {
    name: 'search_hotels',
    description: `Hotels in a city for given dates. ${words(random(3), 30)}`,
    input_schema: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        checkin: { type: 'string' },
        nights: { type: 'integer' },
      },
      required: ['city', 'checkin'],
    },
  },
];
const TURNS = 20;

/** The request body of exchange `i`: turn `i % 20` of run `i / 20`. */
export function requestBodyAt(i) {
  const run = Math.floor(i / TURNS);
  const turn = i % TURNS;
  const next = random(run * 7919 + 13);
  const messages = [];
  for (let t = 0; t <= turn; t++) {
    messages.push({
      role: 'user',
      content: [{ type: 'text', text: `Turn ${t} of run ${run}: ${words(next, 25)}` }],
    });
    if (t < turn)
      messages.push({ role: 'assistant', content: [{ type: 'text', text: words(next, 45) }] });
  }
  return JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: SYSTEM,
    tools: TOOLS,
    messages,
    stream: i % 4 === 3,
  });
}

/** Exchange `i` as a tape event: 150 whole JSON responses and 50 streamed ones in every 200. */
export function exchangeAt(i, url) {
  const text = requestBodyAt(i);
  const request = {
    method: 'POST',
    url,
    headers: [
      ['accept', 'application/json'],
      ['anthropic-version', '2023-06-01'],
      ['content-type', 'application/json'],
    ],
    body: encoder.encode(text),
  };
  const next = random(i + 1_000_000);
  const inputTokens = text.length >> 2;
  if (i % 4 !== 3) {
    const message = {
      id: `msg_${String(i).padStart(24, '0')}`,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: words(next, 60) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 80 },
    };
    return {
      type: 'exchange',
      request,
      response: {
        status: 200,
        statusText: 'OK',
        headers: [
          ['content-type', 'application/json'],
          ['request-id', `req_${i}`],
        ],
        body: { kind: 'bytes', bytes: encoder.encode(JSON.stringify(message)) },
      },
    };
  }
  const events = [
    `event: message_start\ndata: ${JSON.stringify({
      type: 'message_start',
      message: {
        id: `msg_${i}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    })}\n\n`,
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  ];
  for (let c = 0; c < 96; c++) {
    const delta = { type: 'text_delta', text: ` ${words(next, 1 + Math.floor(next() * 4))}` };
    events.push(
      `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta })}\n\n`,
    );
  }
  events.push('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n');
  events.push(
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":96}}\n\n',
  );
  return {
    type: 'exchange',
    request,
    response: {
      status: 200,
      statusText: 'OK',
      headers: [
        ['content-type', 'text/event-stream'],
        ['request-id', `req_${i}`],
      ],
      body: {
        kind: 'stream',
        chunks: events.map((event, c) => ({
          offsetMs: 300 + c * 12.5 + next(),
          bytes: encoder.encode(event),
        })),
        end: { kind: 'complete' },
      },
    },
  };
}

/** Request, response and chunk bytes of an exchange. */
export function bodyBytesOf(event) {
  let n = event.request.body?.length ?? 0;
  const body = event.response?.body;
  if (body?.kind === 'bytes') n += body.bytes.length;
  else if (body?.kind === 'stream') for (const chunk of body.chunks) n += chunk.bytes.length;
  return n;
}

/** The response of a recorded exchange as a live fetch would give it: a whole body, or its chunks streamed. */
export function responseOf(event) {
  const { response } = event;
  const { body } = response;
  const init = { status: response.status, headers: response.headers };
  if (body.kind === 'bytes') return new Response(body.bytes.slice(), init);
  let c = 0;
  const stream = new ReadableStream({
    pull(controller) {
      if (c < body.chunks.length) controller.enqueue(body.chunks[c++].bytes.slice());
      else controller.close();
    },
  });
  return new Response(stream, init);
}
