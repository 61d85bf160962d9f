/**
 * The viewer: a read-only HTTP server over one store, on 127.0.0.1 by default. `/` lists the runs,
 * `/runs/<id>` is a run's report, and `/runs/<id>/live` streams the new events of a run being
 * recorded as server-sent events. It answers only GET and HEAD, only to requests for its own
 * address from its own pages (see guard.ts), and sends no CORS headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSqliteStore } from '@trace/store-sqlite';
import type { TapeStore } from '@trace/tape';
import type { ReportAuditOptions } from '../build/audit.js';
import { BodyTable } from '../build/body-table.js';
import { clientBundle } from '../build/client-bundle.js';
import { reportHtml } from '../build/html.js';
import { gatherReportData } from '../build/report-data.js';
import { shapeEvents } from '../build/shape-events.js';
import { ReportError } from '../errors.js';
import { liveBatch } from '../shared/live.js';
import { allowedHosts, checkRequest } from './guard.js';
import { RunLister, runListHtml } from './run-list.js';

export interface ViewerOptions {
  /** An SQLite store file, opened read-only for as long as the viewer runs. Give this or `store`. */
  readonly path?: string;
  /** An open store, which the viewer reads and does not close. Give this or `path`. */
  readonly store?: TapeStore;
  /** The port; 0 (the default) takes a free one. */
  readonly port?: number;
  /** The address to listen on: 127.0.0.1 by default. Only this address (and `localhost` on loopback) is answered. */
  readonly host?: string;
  /** How often a live page's run is checked for new events, in ms (default 250). */
  readonly pollMs?: number;
  /** The audit log to show with a run's report, if it has one (as `buildReport`'s `audit`). */
  readonly audit?: (run: string) => ReportAuditOptions | undefined;
}

export interface Viewer {
  /** The viewer's address, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** Stops listening, ends every live stream, and closes the store when the viewer opened it. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; frame-ancestors 'none'",
};

/** Starts the viewer; resolves once it listens. */
export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  if ((options.store === undefined) === (options.path === undefined))
    throw new ReportError(
      'REPORT_INVALID_OPTION',
      'Give exactly one of `store` (an open TapeStore) and `path` (an SQLite store file).',
      {
        details: { option: 'store' },
      },
    );
  const host = options.host ?? '127.0.0.1';
  const pollMs = options.pollMs ?? 250;
  const store = options.store ?? openSqliteStore(options.path as string, { readonly: true });
  const owned = options.store === undefined;
  const lister = new RunLister(store);
  /** What ends each open live stream (and stops its polling), for close(). */
  const streams = new Set<() => void>();
  let hosts = new Set<string>();

  const server = createServer((request, response) => {
    const verdict = checkRequest(request, hosts);
    if (!verdict.ok)
      return send(response, 403, 'text/plain; charset=utf-8', `Refused: ${verdict.reason}.\n`);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return send(
        response,
        405,
        'text/plain; charset=utf-8',
        'The viewer is read-only: only GET and HEAD are answered.\n',
      );
    }
    route(request, response).catch((cause: unknown) => {
      if (response.headersSent) return void response.end();
      const missing = ReportError.isInstance(cause) && cause.code === 'REPORT_NO_RUN';
      send(
        response,
        missing ? 404 : 500,
        'text/plain; charset=utf-8',
        `${cause instanceof Error ? cause.message : String(cause)}\n`,
      );
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://viewer.invalid');
    if (url.pathname === '/')
      return send(
        response,
        200,
        'text/html; charset=utf-8',
        runListHtml(store.location, await lister.rows()),
      );
    const live = url.pathname.match(/^\/runs\/([^/]+)\/live$/);
    if (live !== null)
      return streamLive(
        request,
        response,
        decodeURIComponent(live[1]!),
        Number(url.searchParams.get('after') ?? '0'),
      );
    const run = url.pathname.match(/^\/runs\/([^/]+)$/);
    if (run !== null) {
      const id = decodeURIComponent(run[1]!);
      const audit = options.audit?.(id);
      const data = await gatherReportData({
        store,
        id,
        liveUrl: `/runs/${encodeURIComponent(id)}/live`,
        ...(audit === undefined ? {} : { audit }),
      });
      return send(
        response,
        200,
        'text/html; charset=utf-8',
        reportHtml({ data, script: clientBundle() }),
      );
    }
    send(
      response,
      404,
      'text/plain; charset=utf-8',
      'Not found: the viewer serves / and /runs/<id>.\n',
    );
  }

  /** Sends the run's events after the first `after`, as they are appended, until it is finished. */
  async function streamLive(
    request: IncomingMessage,
    response: ServerResponse,
    id: string,
    after: number,
  ): Promise<void> {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    if (request.method === 'HEAD') return void response.end();
    let sent = Number.isInteger(after) && after > 0 ? after : 0;
    let busy = false;
    // A poll can be mid-read when the stream ends (the page went away, or close() ended it): from
    // then on it must not write, since a write after end emits 'error' on the response.
    const open = () => !response.writableEnded && !response.destroyed;
    const write = (text: string) => {
      if (open()) response.write(text);
    };
    const tick = async () => {
      if (busy || !open()) return;
      busy = true;
      try {
        const summary = (await store.list()).find((s) => s.id === id);
        if (summary === undefined) return end('gone');
        if (summary.eventCount > sent) {
          const tape = await store.load(id);
          const table = new BodyTable();
          const { events } = shapeEvents(tape.events, table);
          const batch = liveBatch(events.slice(sent), table.entries);
          sent = events.length;
          write(`event: events\ndata: ${JSON.stringify(batch)}\n\n`);
        }
        if (summary.complete && summary.eventCount <= sent) end('complete');
      } catch (cause) {
        write(
          `event: problem\ndata: ${JSON.stringify(cause instanceof Error ? cause.message : String(cause))}\n\n`,
        );
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), pollMs);
    const stop = () => {
      clearInterval(timer);
      streams.delete(end);
    };
    /** Ends the stream: with a last event when the run is `complete` or `gone`, bare when the viewer closes. */
    function end(kind?: 'complete' | 'gone'): void {
      stop();
      if (open()) response.end(kind === undefined ? undefined : `event: ${kind}\ndata: {}\n\n`);
    }
    streams.add(end);
    // The response's 'close' is the one signal for both ends: the stream ended, or the
    // connection dropped (the request's 'close' can also mean only that its body was read).
    response.on('close', stop);
    // A connection that breaks mid-write stops this stream, never the process.
    response.on('error', stop);
    await tick();
  }

  function send(response: ServerResponse, status: number, type: string, body: string): void {
    response.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': type,
      'content-length': Buffer.byteLength(body),
    });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(
        new ReportError(
          'REPORT_LISTEN_FAILED',
          `The viewer cannot listen on ${host}:${options.port ?? 0} (${cause.code ?? cause.message}): choose another port or address.`,
          {
            cause,
            details: { host, port: options.port ?? 0 },
          },
        ),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  }).catch(async (error: unknown) => {
    if (owned) await store.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    async close() {
      for (const end of [...streams]) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (owned) await store.close();
    },
  };
}
