/** A raw HTTP GET (or other method) with headers as given — the Host header included — for the viewer's refusal tests. */
import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function rawRequest(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers,
        setHost: !('host' in headers),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          // A live stream never ends on its own: the first event is enough.
          if (res.headers['content-type']?.startsWith('text/event-stream') && body.includes('\n\n'))
            req.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A live stream held open, read as it arrives: what came so far, and when it ended. */
export interface OpenStream {
  readonly status: number;
  /** Everything received so far. */
  text(): string;
  /** Resolves once `text()` holds `count` whole events. */
  events(count: number): Promise<void>;
  /** Resolves when the server ends the stream or drops the connection. */
  readonly closed: Promise<void>;
  /** Drops the connection, as a closed browser tab does. */
  destroy(): void;
}

/** Opens `url` (a viewer's `/runs/<id>/live`) and keeps reading it until the server ends it. */
export function openStream(url: string): Promise<OpenStream> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search },
      (res) => {
        let body = '';
        const waiting: { count: number; done: () => void }[] = [];
        const settle = () => {
          const have = body.split('\n\n').length - 1;
          for (const w of waiting.splice(0)) {
            if (have >= w.count) w.done();
            else waiting.push(w);
          }
        };
        const closed = new Promise<void>((ended) => {
          res.on('close', ended);
          res.on('error', ended);
        });
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          settle();
        });
        resolve({
          status: res.statusCode ?? 0,
          text: () => body,
          events: (count) =>
            new Promise<void>((done) => {
              waiting.push({ count, done });
              settle();
            }),
          closed,
          destroy: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
