// The tapes the store's tests write, shared with the scripts that wrote the committed fixtures of
// older formats (fixtures/make-v5-fixtures.mjs, make-v6-fixtures.mjs), so a test can hold an
// upgraded fixture to the very tape it was made from. `Tape` is passed in: the fixtures were made
// with an older build.
const text = (s) => new Uint8Array(Buffer.from(s, 'utf8'));

export const exchange = (n, said = 'reply') => ({
  type: 'exchange',
  request: {
    method: 'POST',
    url: 'http://127.0.0.1/v1/messages',
    headers: [['content-type', 'application/json']],
    body: text(`{"n":${n}}`),
  },
  response: {
    status: 200,
    statusText: 'OK',
    headers: [['content-type', 'application/json']],
    body: { kind: 'bytes', bytes: text(`{"${said}":${n}}`) },
  },
});

/** A clock draw, `n` exchanges, an annotation. */
export function sampleTape(Tape, id = 'run-1', n = 5) {
  const tape = Tape.create({ id, metadata: { user: { suite: 'store.test' } } });
  tape.append({ type: 'draw', kind: 'clock.wall', value: 1700000000000 });
  for (let i = 0; i < n; i++) tape.append(exchange(i));
  tape.append({ type: 'annotation', data: { label: 'done' } });
  return tape;
}

/** `n` exchanges, each with bodies of its own. */
export function run(Tape, id, n) {
  const tape = Tape.create({ id });
  for (let i = 0; i < n; i++) tape.append(exchange(i));
  return tape;
}

const sse = (frames) => frames.map((data) => `data: ${JSON.stringify(data)}\n\n`).join('');

/**
 * Streamed responses: chunks repeated within a stream and across streams, a chunk whose bytes are
 * also a request body elsewhere, an empty chunk, and a stream cut off by an error.
 */
export function streamTape(Tape, id = 'streams') {
  const tape = Tape.create({ id });
  const frames = (n) =>
    Array.from({ length: 6 }, (_, i) => ({
      type: 'delta',
      text: i % 2 ? 'same' : `word ${n}.${i}`,
    }));
  for (let n = 0; n < 3; n++) {
    const bytes = sse(frames(n));
    const cuts = [0, 10, 40, 40, 95, bytes.length];
    const chunks = cuts.slice(1).map((end, i) => ({
      offsetMs: i * 2.5,
      bytes: text(bytes.slice(cuts[i], end)),
    }));
    chunks.push({ offsetMs: 20, bytes: text('{"n":0}') }); // a request body's bytes, as a chunk
    tape.append({
      type: 'exchange',
      request: {
        method: 'POST',
        url: 'http://127.0.0.1/v1/messages',
        headers: [['content-type', 'application/json']],
        body: text(`{"n":${n},"stream":true}`),
      },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [['content-type', 'text/event-stream']],
        body: {
          kind: 'stream',
          chunks,
          end:
            n === 2
              ? { kind: 'error', offsetMs: 21, error: { name: 'TypeError', message: 'terminated' } }
              : { kind: 'complete' },
        },
      },
    });
  }
  tape.append(exchange(0));
  return tape;
}

/** `base`'s first `k` events, then events of its own. */
export function forkOf(Tape, id, base, k) {
  const tape = Tape.create({ id });
  for (const event of base.events.slice(0, k)) tape.append(event);
  tape.append(exchange(99, 'forked'));
  return tape;
}

/**
 * A chat of `turns` turns: every request sends the system prompt (some 3.8 KB), the tools and
 * every message again. Returns the tape and the bytes of its new text (prompt, tools, each
 * turn's user and assistant text once).
 */
export function conversation(Tape, id, turns) {
  const tape = Tape.create({ id });
  const system = 'You are a careful travel planner who checks the weather first. '.repeat(60);
  const tools = [{ name: 'get_weather', description: 'The weather in a city. '.repeat(40) }];
  const messages = [];
  let unique = system.length + JSON.stringify(tools).length;
  for (let turn = 0; turn < turns; turn++) {
    const user = `Turn ${turn}: plan day ${turn} in city ${turn * 7919} with ${'some detail '.repeat(40)}`;
    messages.push({ role: 'user', content: user });
    const body = JSON.stringify({ model: 'claude-x', max_tokens: 1024, system, tools, messages });
    const reply = `Day ${turn}: museum ${turn * 31} at ${turn}h, then a walk. ${'and more '.repeat(60)}`;
    messages.push({ role: 'assistant', content: reply });
    unique += user.length + reply.length;
    tape.append({
      type: 'exchange',
      request: {
        method: 'POST',
        url: 'http://127.0.0.1/v1/messages',
        headers: [],
        body: text(body),
      },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [],
        body: {
          kind: 'bytes',
          bytes: text(JSON.stringify({ content: [{ type: 'text', text: reply }] })),
        },
      },
    });
  }
  return { tape, unique };
}

/**
 * The tapes of the committed format-6 store (fixtures/make-v6-fixtures.mjs), each with the
 * options it was saved with: blobs of every kind format 6 keeps — inline (short bodies, kept as
 * they are; a longer one, deflated), in chunks (the chat's requests: the system prompt a deflated
 * chunk, the messages chunks kept as they are), streams kept whole — and forks on their bases.
 */
export function formatSixTapes(Tape) {
  const streams = streamTape(Tape);
  const chat = conversation(Tape, 'chat', 12).tape;
  const long = Tape.create({ id: 'long' });
  const request = {
    ...exchange(7).request,
    body: text('a line of plain text, again\n'.repeat(90)),
  };
  long.append({ ...exchange(7), request });
  return [
    [sampleTape(Tape, 'plain', 3)],
    [streams],
    [forkOf(Tape, 'fork', streams, 2), { base: 'streams' }],
    [chat],
    [forkOf(Tape, 'chat-fork', chat, 6), { base: 'chat' }],
    [long],
  ];
}
