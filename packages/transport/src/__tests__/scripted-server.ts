/**
 * A real HTTP server on 127.0.0.1 that answers each request as the test scripted it beforehand,
 * found by the request's `x-script` header: a status, headers, and a whole body or the pieces of
 * a streamed one. A streamed body is written one piece at a time, each only once the test says
 * its client has received everything before it (`received`), so the client reads exactly the
 * chunk boundaries the test chose, however the network would have merged them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedResponse {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A whole body, or the pieces of a streamed one. */
  readonly body?: string;
  readonly pieces?: readonly string[];
}

export interface ScriptedServer {
  readonly url: string;
  /** Scripts the answer to the request sent with `x-script: <id>`. */
  script(id: string, response: ScriptedResponse): void;
  /** Tells a streaming answer that its client has received `bytes` bytes of it in all. */
  received(id: string, bytes: number): void;
  close(): Promise<void>;
}

interface Progress {
  bytes: number;
  wake: (() => void) | undefined;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const scripts = new Map<string, ScriptedResponse>();
  const progress = new Map<string, Progress>();
  const progressOf = (id: string): Progress => {
    let entry = progress.get(id);
    if (entry === undefined) {
      entry = { bytes: 0, wake: undefined };
      progress.set(id, entry);
    }
    return entry;
  };
  const receivedAtLeast = (id: string, bytes: number): Promise<void> => {
    const entry = progressOf(id);
    if (entry.bytes >= bytes) return Promise.resolve();
    return new Promise((resolve) => {
      entry.wake = () => {
        if (entry.bytes < bytes) return;
        entry.wake = undefined;
        resolve();
      };
    });
  };

  const server: Server = createServer((req, res) => {
    (async () => {
      for await (const _ of req) {
        // The request body is read and dropped: the tape is what is under test.
      }
      const id = String(req.headers['x-script'] ?? '');
      const script = scripts.get(id);
      if (script === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('no script');
        return;
      }
      res.writeHead(script.status ?? 200, script.headers ?? {});
      if (script.pieces === undefined) {
        res.end(script.body ?? '');
        return;
      }
      let sent = 0;
      for (const piece of script.pieces) {
        res.write(piece);
        sent += Buffer.byteLength(piece);
        await receivedAtLeast(id, sent);
      }
      res.end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script: (id, response) => {
      scripts.set(id, response);
    },
    received(id, bytes) {
      const entry = progressOf(id);
      entry.bytes = bytes;
      entry.wake?.();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
