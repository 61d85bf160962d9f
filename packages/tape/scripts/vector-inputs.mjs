// The inputs of the tape-format test vectors (docs/tape-vectors.json). Byte arrays are written
// as { "$base64": "..." } so the file stays JSON; everything else is the event as given to append.
const b64 = (text) => ({ $base64: Buffer.from(text, 'utf8').toString('base64') });

const jsonRequest = {
  method: 'POST',
  url: 'http://127.0.0.1:8080/v1/messages',
  headers: [
    ['content-type', 'application/json'],
    ['anthropic-version', '2023-06-01'],
  ],
  body: b64('{"model":"claude-test","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}'),
};

export const VECTOR_INPUTS = [
  { name: 'empty tape', events: [] },
  {
    name: 'draw: wall clock',
    events: [{ type: 'draw', kind: 'clock.wall', value: 1767225600000 }],
  },
  {
    name: 'draw: named stream, float and unicode',
    events: [
      { type: 'draw', kind: 'random.float', value: 0.1, stream: 'worker-1' },
      { type: 'draw', kind: 'source:env', value: 'héllo ✓ 🎉\n"quoted"' },
      { type: 'draw', kind: 'random.bytes', value: { b64: 'AAEC/w==', n: 1e21, small: 5e-324 } },
    ],
  },
  {
    name: 'annotation: keys kept in their own order',
    events: [
      {
        type: 'annotation',
        data: { z: [1, 2.5, -0.25, true, null], a: { '€': 1, é: 2, b: 'x' }, '\u0001': '\t' },
      },
    ],
  },
  {
    name: 'exchange: JSON response',
    events: [
      {
        type: 'exchange',
        request: jsonRequest,
        response: {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'application/json']],
          body: {
            kind: 'bytes',
            bytes: b64('{"id":"msg_1","content":[{"type":"text","text":"Hello"}]}'),
          },
        },
      },
    ],
  },
  {
    name: 'exchange: streamed response, complete',
    events: [
      {
        type: 'exchange',
        request: jsonRequest,
        response: {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'text/event-stream']],
          body: {
            kind: 'stream',
            chunks: [
              { offsetMs: 12.5, bytes: b64('event: message_start\ndata: {}\n\n') },
              {
                offsetMs: 40.125,
                bytes: b64('event: content_block_delta\ndata: {"text":"Hel"}\n\n'),
              },
              { offsetMs: 41, bytes: b64('event: message_stop\ndata: {}\n\n') },
            ],
            end: { kind: 'complete' },
          },
        },
      },
    ],
  },
  {
    name: 'exchange: streams cancelled and failed part-way',
    events: [
      {
        type: 'exchange',
        request: { method: 'GET', url: 'http://127.0.0.1:8080/stream', headers: [], body: null },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [],
          body: {
            kind: 'stream',
            chunks: [{ offsetMs: 1, bytes: b64('a') }],
            end: { kind: 'cancelled', offsetMs: 2 },
          },
        },
      },
      {
        type: 'exchange',
        request: { method: 'GET', url: 'http://127.0.0.1:8080/stream', headers: [], body: null },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [],
          body: {
            kind: 'stream',
            chunks: [],
            end: {
              kind: 'error',
              offsetMs: 3.75,
              error: { name: 'TypeError', message: 'terminated', code: 'UND_ERR_SOCKET' },
            },
          },
        },
      },
    ],
  },
  {
    name: 'exchange: no body, and a transport error',
    events: [
      {
        type: 'exchange',
        request: {
          method: 'DELETE',
          url: 'http://127.0.0.1:8080/item/1',
          headers: [['x-a', '1']],
          body: null,
        },
        response: { status: 204, statusText: 'No Content', headers: [], body: null },
      },
      {
        type: 'exchange',
        request: { method: 'POST', url: 'http://127.0.0.1:1/', headers: [], body: b64('') },
        error: { name: 'TypeError', message: 'fetch failed', code: 'ECONNREFUSED' },
      },
    ],
  },
  {
    name: 'exchange trailer: issue order differs from tape order',
    events: [
      {
        type: 'exchange',
        request: { method: 'GET', url: 'http://127.0.0.1:8080/fast', headers: [], body: null },
        response: { status: 204, statusText: 'No Content', headers: [], body: null },
        issueIndex: 1,
      },
      {
        type: 'exchange',
        request: { method: 'GET', url: 'http://127.0.0.1:8080/slow', headers: [], body: null },
        response: { status: 204, statusText: 'No Content', headers: [], body: null },
        issueIndex: 0,
      },
    ],
  },
  {
    name: 'exchange trailer: timing of a streamed response and of a failure',
    events: [
      {
        type: 'exchange',
        request: jsonRequest,
        response: {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'text/event-stream']],
          body: {
            kind: 'stream',
            chunks: [{ offsetMs: 12.5, bytes: b64('event: message_stop\ndata: {}\n\n') }],
            end: { kind: 'complete' },
          },
        },
        timing: { headersMs: 10.25, endMs: 12.75 },
      },
      {
        type: 'exchange',
        request: { method: 'POST', url: 'http://127.0.0.1:1/', headers: [], body: null },
        error: { name: 'TimeoutError', message: 'The operation was aborted due to timeout' },
        timing: { headersMs: 30000, endMs: 30000 },
      },
    ],
  },
  {
    name: 'exchange trailer: a followed redirect',
    events: [
      {
        type: 'exchange',
        request: { method: 'GET', url: 'http://127.0.0.1:8080/old', headers: [], body: null },
        response: {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'text/plain']],
          body: { kind: 'bytes', bytes: b64('moved here') },
          redirectedTo: 'http://127.0.0.1:8080/new',
        },
      },
    ],
  },
  {
    name: 'exchange trailer: all three fields, beside an exchange without them',
    events: [
      {
        type: 'exchange',
        request: jsonRequest,
        response: {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'application/json']],
          body: { kind: 'bytes', bytes: b64('{"id":"msg_2"}') },
          redirectedTo: 'http://127.0.0.1:8080/v2/messages',
        },
        issueIndex: 4294967295,
        timing: { headersMs: 0, endMs: 0.5 },
      },
      {
        type: 'exchange',
        request: jsonRequest,
        response: {
          status: 200,
          statusText: 'OK',
          headers: [['content-type', 'application/json']],
          body: { kind: 'bytes', bytes: b64('{"id":"msg_2"}') },
        },
      },
    ],
  },
];

/** Turns { $base64 } placeholders into Uint8Arrays. */
export function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    if (typeof value.$base64 === 'string' && Object.keys(value).length === 1) {
      return new Uint8Array(Buffer.from(value.$base64, 'base64'));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}
