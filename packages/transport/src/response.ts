/** Building the Response a caller receives, in record and in replay alike. */

/** Statuses whose responses cannot carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function buildResponse(
  body: ConstructorParameters<typeof Response>[0],
  init: {
    status: number;
    statusText: string;
    headers: readonly (readonly [string, string])[];
    url: string;
  },
): Response {
  const response = new Response(NULL_BODY_STATUSES.has(init.status) ? null : body, {
    status: init.status,
    statusText: init.statusText,
    headers: init.headers.map(([name, value]) => [name, value]),
  });
  // A constructed Response has an empty url; callers that log or follow it expect the real one.
  Object.defineProperty(response, 'url', { value: init.url });
  return response;
}

/** Responses recorded with their chunk boundaries: server-sent events and newline-delimited JSON. */
export function isStreamed(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return /^(text\/event-stream|application\/(x-)?ndjson|application\/jsonl)/i.test(type);
}
