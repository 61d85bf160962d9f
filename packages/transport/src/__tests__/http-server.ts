/**
 * A real HTTP server on 127.0.0.1 for the transport tests: JSON, echoed, binary, compressed,
 * empty, streamed (with pauses between events), broken-mid-stream and slow responses.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export interface TestServer {
  readonly url: string;
  readonly hits: number;
  close(): Promise<void>;
}

export const BINARY = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) & 0xff);
export const SSE_EVENTS = [
  'event: delta\ndata: {"text":"Hel"}\n\n',
  'event: delta\ndata: {"text":"lo"}\n\n',
  'event: done\ndata: {}\n\n',
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const delay = Number(url.searchParams.get('delay') ?? 0);
  if (delay > 0) await pause(delay);
  switch (url.pathname) {
    case '/json':
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'session=abc' });
      res.end(
        JSON.stringify({ echo: body.length > 0 ? JSON.parse(body) : null, path: url.pathname }),
      );
      return;
    case '/echo':
      // The body back as it came, under the type it was sent with.
      res.writeHead(200, {
        'content-type': req.headers['content-type'] ?? 'application/octet-stream',
      });
      res.end(body);
      return;
    case '/binary':
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(BINARY);
      return;
    case '/gzip':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ compressed: 'gzip', pad: 'x'.repeat(2000) })));
      return;
    case '/br':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
      res.end(brotliCompressSync(JSON.stringify({ compressed: 'br', pad: 'y'.repeat(2000) })));
      return;
    case '/empty':
      res.writeHead(204);
      res.end();
      return;
    case '/error':
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end('{"error":"overloaded"}');
      return;
    case '/sse':
    case '/sse-break': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const [i, event] of SSE_EVENTS.entries()) {
        if (url.pathname === '/sse-break' && i === 2) {
          res.socket?.destroy();
          return;
        }
        res.write(event);
        await pause(20);
      }
      res.end();
      return;
    }
    case '/sse-endless': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(`data: ${i}\n\n`);
        await pause(10);
      }
      res.end();
      return;
    }
    default:
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
  }
}

export async function startTestServer(): Promise<TestServer> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on: connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Reads a body chunk by chunk, as the caller saw it. */
export async function readChunks(response: Response): Promise<string[]> {
  const out: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
    out.push(decoder.decode(chunk));
  return out;
}
