/**
 * Between an HTTP exchange with the agent and a `fetch` call: the agent's request read into a
 * request for the run's fetch, and the response written back as it arrives — each chunk of a
 * stream passed on the moment it is read, never buffered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Headers that describe one connection, not the request (RFC 9110 §7.6.1), and those fetch sets
 * itself: never passed on. `accept-encoding` is fetch's to choose; it decodes what it asked for.
 */
const REQUEST_HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'accept-encoding',
  'expect',
]);

/**
 * Response headers that no longer hold once fetch has decoded the body: its length and encoding
 * are the proxy's to set again, for the bytes it sends.
 */
const RESPONSE_HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'trailer',
  'upgrade',
]);

/** The agent's request as fetch arguments, its body read whole (an LLM request is small). */
export async function readRequest(
  req: IncomingMessage,
  signal: AbortSignal,
): Promise<RequestInit & { method: string }> {
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (!REQUEST_HOP_HEADERS.has(name.toLowerCase()))
      headers.push([name, req.rawHeaders[i + 1] as string]);
  }
  const method = req.method ?? 'GET';
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body =
    chunks.length === 0 || method === 'GET' || method === 'HEAD' ? null : Buffer.concat(chunks);
  return { method, headers, body, signal };
}

/**
 * Writes a fetch response to the agent: the head at once, then each chunk as it is read. When
 * the agent goes away first, the body is cancelled (a recording then keeps it as cancelled).
 */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (!RESPONSE_HOP_HEADERS.has(name)) headers.push([name, value]);
  });
  // Set-Cookie is the one header fetch's iteration joins; give each its own line again.
  const cookies = response.headers.getSetCookie();
  const flat = headers.filter(([name]) => name !== 'set-cookie').flat();
  for (const cookie of cookies) flat.push('set-cookie', cookie);
  res.writeHead(response.status, response.statusText, flat);
  res.flushHeaders();
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = () => reader.cancel().catch(() => undefined);
  res.once('close', gone);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch (error) {
    // A body that fails part-way (the upstream cut it, or the recording did) cuts the agent's
    // connection too, as the upstream's own failure would have.
    res.destroy(error as Error);
  } finally {
    res.off('close', gone);
  }
}
