// The i-th event of the crash test's deterministic run: a mix of draws, annotations and
// exchanges, some with 100 KB bodies and streams, so that kills land inside large writes too.
export function eventAt(i) {
  const kind = i % 4;
  if (kind === 0) return { type: 'draw', kind: 'random.int', value: (i * 2654435761) % 1000003 };
  if (kind === 1) return { type: 'annotation', data: { step: i, note: `step ${i}` } };
  const size = i % 8 === 2 ? 100 * 1024 : 1024;
  const body = new Uint8Array(size);
  for (let j = 0; j < size; j++) body[j] = (i + j * 13) & 0xff;
  const request = {
    method: 'POST',
    url: `http://127.0.0.1/v1/messages?i=${i}`,
    headers: [['content-type', 'application/json']],
    body,
  };
  if (kind === 2)
    return {
      type: 'exchange',
      request,
      response: {
        status: 200,
        statusText: 'OK',
        headers: [],
        body: { kind: 'bytes', bytes: body },
      },
    };
  const chunks = Array.from({ length: 8 }, (_, c) => ({
    offsetMs: c * 1.5,
    bytes: body.subarray(c * 128, c * 128 + 128),
  }));
  return {
    type: 'exchange',
    request,
    response: {
      status: 200,
      statusText: 'OK',
      headers: [],
      body: { kind: 'stream', chunks, end: { kind: 'complete' } },
    },
  };
}
