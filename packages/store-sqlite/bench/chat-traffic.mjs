// Chat traffic for the store's benchmarks: conversations in the shapes of the Anthropic Messages
// and OpenAI Chat Completions APIs, each request sending the whole conversation again, some
// responses streamed. Deterministic (a seeded generator), so every run measures the same bytes.

/** Words for text that compresses like prose, not like noise. */
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
export function conversation(TapeClass, provider, turns, seed) {
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
export function wholeBodies(tape) {
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
 * messages as real agents' do), every third response streamed.
 */
export function chatTraffic(Tape, count) {
  const events = [];
  for (let c = 0; events.length < count; c++) {
    const { tape } = conversation(Tape, c % 2 ? 'openai' : 'anthropic', 10, c + 1);
    for (const event of tape.events) if (events.length < count) events.push(event);
  }
  return events;
}

/** About `bytes` of traffic: whole conversations of 20 turns, streamed and not. */
export function bulkTraffic(Tape, bytes) {
  const events = [];
  let total = 0;
  for (let c = 0; total < bytes; c++) {
    const { tape } = conversation(Tape, c % 2 ? 'openai' : 'anthropic', 20, c + 1);
    events.push(...tape.events);
    total += wholeBodies(tape);
  }
  return events;
}
