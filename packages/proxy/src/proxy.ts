/**
 * The proxy: an HTTP server on 127.0.0.1 in front of one or more upstreams, every request sent
 * through the open run's `fetch` (@trace/run) — so it is recorded, replayed and proven exactly as
 * an agent in JavaScript would be — and draws served from the run's source.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openRun, type Run, type RunOptions, type RunReport } from '@trace/run';
import { type JsonValue, TraceError } from '@trace/spec';
import { DRAW_PATH, draw } from './draws.js';
import { ProxyError } from './errors.js';
import { readRequest, writeResponse } from './relay.js';
import { writeError, writeJson } from './replies.js';
import { checkUpstreams, route, type Upstream } from './upstreams.js';

/** What every run the proxy opens shares: where its tape lives and how it records and replays. */
export type ProxyRunOptions = Omit<RunOptions, 'id' | 'fetch' | 'libraries'>;

export interface ProxyOptions extends ProxyRunOptions {
  /**
   * Where requests go: `'https://api.anthropic.com'` for every path, or path prefixes for several
   * (`'/openai=https://api.openai.com/v1'`, or `{ prefix, url }`); the longest prefix wins.
   */
  readonly upstreams: readonly (Upstream | string)[];
  /** The run opened at start; without it, runs are opened through the control endpoint. */
  readonly id?: string;
  /** The port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** The fetch that reaches the upstreams when recording. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Where the proxy says what it does (a run opened or closed, a divergence). Default: stderr. */
  readonly log?: (line: string) => void;
}

export interface TraceProxy {
  /** `http://127.0.0.1:<port>`: the agent's base URL (plus a prefix, with several upstreams). */
  readonly url: string;
  readonly port: number;
  /** The open run, if any. */
  readonly run: Run | undefined;
  /** Opens run `id` (closing the one open first, whose report it returns). */
  startRun(id: string): Promise<RunReport | undefined>;
  /** Closes the open run (a recording is finished; a replay checks everything was used). */
  finishRun(): Promise<RunReport | undefined>;
  /** Stops listening, ends every connection, and closes the open run. */
  close(): Promise<RunReport | undefined>;
}

/** The control endpoint: `POST /__trace/runs {"id"}` opens a run, `POST /__trace/runs/finish` ends it. */
const RUNS_PATH = '/__trace/runs';

/** Starts the proxy, listening on 127.0.0.1, and opens run `id` when it is given. */
export async function startProxy(options: ProxyOptions): Promise<TraceProxy> {
  const upstreams = checkUpstreams(options.upstreams);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ProxyError(
      'PROXY_INVALID_OPTION',
      `port is ${String(port)}; use 0 to 65535 (0 picks a free one).`,
    );
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { upstreams: _u, id: _i, port: _p, log: _l, ...runOptions } = options;
  let run: Run | undefined;
  // Opening and closing runs one at a time: a control request waits for the one before it.
  let lifecycle: Promise<unknown> = Promise.resolve();
  const serially = <T>(step: () => Promise<T>): Promise<T> => {
    const next = lifecycle.then(step, step);
    lifecycle = next.catch(() => undefined);
    return next;
  };

  const finish = async (): Promise<RunReport | undefined> => {
    const closing = run;
    run = undefined;
    if (closing === undefined) return undefined;
    const report = await closing.close();
    log(`[trace proxy] run ${closing.id} closed (${closing.mode}): ${summary(report)}`);
    return report;
  };
  const start = async (id: string): Promise<RunReport | undefined> => {
    const previous = await finish();
    // Libraries' own reads of the globals are no concern here: the proxy draws only on request.
    run = await openRun({ ...runOptions, id, libraries: [] });
    log(`[trace proxy] run ${id} open (${run.mode})`);
    return previous;
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A malformed request of the agent's is a 400; a failure on the way to the upstream (or
      // its recorded replay: refused, reset, timed out) is the gateway's 502, as any proxy says.
      if (ProxyError.isInstance(error) && error.code === 'PROXY_BAD_REQUEST')
        writeError(res, 400, error);
      else if (TraceError.isInstance(error)) writeError(res, 502, error);
      else {
        const message = `the upstream request failed: ${(error as Error).name}: ${(error as Error).message}`;
        writeError(res, 502, new ProxyError('PROXY_UPSTREAM_FAILED', message, { cause: error }));
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (path === RUNS_PATH || path.startsWith(`${RUNS_PATH}/`)) return control(req, res, path);
    const current = run;
    if (current === undefined) {
      req.resume();
      return writeError(
        res,
        503,
        new ProxyError(
          'PROXY_NO_RUN',
          `no run is open: start one with POST ${RUNS_PATH} {"id": "<run id>"}, or give the proxy an id.`,
        ),
      );
    }
    if (path.startsWith(DRAW_PATH)) return drawFor(current, req, res, path);
    const target = route(upstreams, path);
    if (target === undefined) {
      req.resume();
      return writeError(
        res,
        404,
        new ProxyError(
          'PROXY_NO_UPSTREAM',
          `no upstream serves ${path.split('?')[0]}: its prefixes are ${upstreams.map((u) => u.prefix).join(', ')}.`,
        ),
      );
    }
    const aborted = new AbortController();
    // The agent hung up before the answer was complete: stop asking the upstream.
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const init = await readRequest(req, aborted.signal);
    const response = await current.fetch(target, init);
    if (current.divergence !== undefined && response.headers.has('x-trace-divergence')) {
      log(`[trace proxy] run ${current.id} diverged: ${current.divergence.message}`);
    }
    await writeResponse(response, res);
  }

  async function drawFor(
    current: Run,
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> {
    const url = new URL(path, 'http://proxy');
    const body = await readJson(req);
    try {
      const value = draw(
        current.source,
        url.pathname.slice(DRAW_PATH.length),
        url.searchParams,
        body,
      );
      writeJson(res, 200, { value });
    } catch (error) {
      if (!TraceError.isInstance(error)) throw error;
      const diverged = error.code === 'NONDET_DIVERGED';
      if (diverged) log(`[trace proxy] run ${current.id} diverged: ${error.message}`);
      writeError(res, diverged ? 409 : 400, error);
    }
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = await readJson(req);
    if (req.method !== 'POST') {
      return writeError(
        res,
        405,
        new ProxyError('PROXY_BAD_REQUEST', `use POST ${RUNS_PATH} or POST ${RUNS_PATH}/finish.`),
      );
    }
    try {
      if (path === RUNS_PATH) {
        const id = (body as { id?: unknown } | undefined)?.id;
        if (typeof id !== 'string') {
          return writeError(
            res,
            400,
            new ProxyError('PROXY_BAD_REQUEST', `POST ${RUNS_PATH} takes {"id": "<run id>"}.`),
          );
        }
        const previous = await serially(() => start(id));
        return writeJson(res, 200, { id, mode: run?.mode, previous: previous ?? null });
      }
      if (path === `${RUNS_PATH}/finish`) {
        const report = await serially(finish);
        return writeJson(res, 200, { report: report ?? null });
      }
      return writeError(
        res,
        404,
        new ProxyError(
          'PROXY_BAD_REQUEST',
          `there is no ${path}: use ${RUNS_PATH} or ${RUNS_PATH}/finish.`,
        ),
      );
    } catch (error) {
      if (!TraceError.isInstance(error)) throw error;
      // The run's own verdict (a divergence, exchanges left unused, no tape): the caller's to see.
      log(`[trace proxy] ${error.code}: ${error.message}`);
      return writeError(res, 409, error);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ProxyError(
          'PROXY_LISTEN_FAILED',
          `The proxy cannot listen on 127.0.0.1:${port} (${error.code ?? error.message}): choose another --port, or 0 for a free one.`,
          { cause: error },
        ),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  try {
    if (options.id !== undefined) await serially(() => start(options.id as string));
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }

  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    get run() {
      return run;
    },
    startRun: (id) => serially(() => start(id)),
    finishRun: () => serially(finish),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return serially(finish);
    },
  };
}

/** A request body read as JSON: undefined when empty; a bad one is PROXY_BAD_REQUEST. */
async function readJson(req: IncomingMessage): Promise<JsonValue | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonValue;
  } catch {
    throw new ProxyError('PROXY_BAD_REQUEST', 'the request body is not JSON.');
  }
}

function summary(report: RunReport): string {
  const { exchanges, draws } = report;
  return `${count(exchanges.recorded, 'exchange')} (${exchanges.matched} replayed), ${count(draws.recorded, 'draw')}, fingerprint ${report.fingerprint?.slice(0, 12) ?? '—'}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
