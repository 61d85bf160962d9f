import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropic } from './anthropic.js';
import { LlmServerError } from './errors.js';
import { openai } from './openai.js';
import type { Dialect, Reply, Turn } from './reply.js';
import { sendReply } from './send.js';
import { validateStep } from './steps.js';
import { countTokens, lastUserText, modelOf, promptText, sequence } from './text.js';
import type { LlmServer, LlmServerOptions, ReceivedRequest, ScriptStep } from './types.js';

/** The only address the server listens on: it must never be reachable from another machine. */
const HOST = '127.0.0.1';

const ROUTES: Readonly<Record<string, Dialect>> = {
  '/v1/messages': anthropic,
  '/v1/chat/completions': openai,
};

/** Sent with every scripted error so both SDKs retry at once (`retry-after: 0` alone makes
 * @anthropic-ai/sdk fall back to its own backoff, so `retry-after-ms` carries a 1 ms wait). */
const RETRY_HEADERS = { 'retry-after': '0', 'retry-after-ms': '1' };

const OPTION_KEYS = new Set(['script', 'respond', 'port']);

function invalidOptions(message: string, details: Record<string, unknown>): LlmServerError {
  return new LlmServerError('LLM_SERVER_INVALID_OPTIONS', message, { details });
}

function checkOptions(options: unknown): LlmServerOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidOptions('startLlmServer options must be an object (or omitted).', { options });
  }
  const { script, respond, port } = options as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw invalidOptions(`Unknown option "${key}"; use script, respond or port.`, { key });
    }
  }
  if (script !== undefined && !Array.isArray(script)) {
    throw invalidOptions('Option script must be an array of script steps.', { script });
  }
  if (respond !== undefined && typeof respond !== 'function') {
    throw invalidOptions('Option respond must be a function returning a script step.', {
      respond,
    });
  }
  if (
    port !== undefined &&
    (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
  ) {
    throw invalidOptions('Option port must be an integer from 0 to 65535 (0 picks a free port).', {
      port,
    });
  }
  return options as LlmServerOptions;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function turnOf(step: ScriptStep, body: Record<string, unknown>, seq: string): Turn {
  const { text, toolUse } = step;
  return {
    seq,
    model: modelOf(body),
    // A step with neither text nor a tool call (say, only a delay) still answers: with the echo.
    text: text ?? (toolUse === undefined ? `echo: ${lastUserText(body)}` : undefined),
    toolUse:
      toolUse === undefined
        ? undefined
        : { id: toolUse.id, name: toolUse.name, input: toolUse.input },
    inputTokens: countTokens(promptText(body)),
  };
}

/** The body for a route the server does not serve; readable by both SDKs' error parsers. */
function notFound(method: string, path: string): Reply {
  const message = `No route for ${method} ${path}; @trace/llm-server serves POST /v1/messages, POST /v1/chat/completions and GET /health.`;
  return {
    kind: 'json',
    status: 404,
    body: { type: 'error', error: { type: 'not_found_error', message } },
  };
}

/** Starts a scripted LLM server on 127.0.0.1. See `LlmServerOptions` for the script. */
export async function startLlmServer(options: LlmServerOptions = {}): Promise<LlmServer> {
  const { script = [], respond, port = 0 } = checkOptions(options);
  const queue: ScriptStep[] = script.map(validateStep);
  const requests: ReceivedRequest[] = [];
  const closing = new AbortController();
  // Every pending delay listens on this signal; 50 parallel delayed replies are expected use.
  setMaxListeners(0, closing.signal);

  async function nextStep(request: ReceivedRequest): Promise<ScriptStep> {
    const queued = queue.shift();
    if (queued !== undefined) return queued;
    return respond === undefined ? {} : validateStep(await respond(request));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const pathname = path.split('?')[0] ?? path;
    if (method === 'GET' && pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    const body = await readBody(req);
    const json = parseJson(body);
    const record: ReceivedRequest = {
      method,
      path,
      headers: headersOf(req),
      body,
      json,
      index: requests.length,
    };
    requests.push(record);
    const seq = sequence(record.index);

    const dialect = method === 'POST' ? ROUTES[pathname] : undefined;
    if (dialect === undefined) {
      const headers = { 'request-id': `req_${seq}`, 'x-request-id': `req_${seq}` };
      await sendReply(res, notFound(method, path), headers, {}, closing.signal);
      return;
    }
    const headers: Record<string, string> = { [dialect.requestIdHeader]: `req_${seq}` };
    if (!isObject(json)) {
      // A body that is not a JSON object consumes no step: the script is for understood requests.
      const message = 'The request body must be a JSON object (llm-server could not parse it).';
      await sendReply(res, dialect.error(400, message, seq), headers, {}, closing.signal);
      return;
    }
    let step: ScriptStep;
    try {
      step = await nextStep(record);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `llm-server: the respond callback failed: ${reason}`;
      await sendReply(res, dialect.error(500, message, seq), headers, {}, closing.signal);
      return;
    }
    let reply: Reply;
    if (step.status === undefined) {
      reply = dialect.success(turnOf(step, json, seq), json);
    } else {
      Object.assign(headers, RETRY_HEADERS);
      const message = `Scripted HTTP ${step.status} error from @trace/llm-server.`;
      reply = dialect.error(step.status, message, seq);
    }
    await sendReply(res, reply, headers, step, closing.signal);
  }

  const server = createServer((req, res) => {
    // A client that hangs up mid-reply is normal in tests; it must not surface as a crash.
    res.on('error', () => {});
    handle(req, res).catch(() => res.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      reject(
        new LlmServerError(
          'LLM_SERVER_LISTEN_FAILED',
          `Could not listen on ${HOST}:${port}; pass port 0 to pick a free port, or free port ${port}.`,
          { cause: error, details: { host: HOST, port } },
        ),
      );
    });
    server.listen(port, HOST, () => resolve());
  });
  server.on('error', () => {});

  const { port: actualPort } = server.address() as AddressInfo;
  const url = `http://${HOST}:${actualPort}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    anthropicBaseURL: url,
    openaiBaseURL: `${url}/v1`,
    requests,
    enqueue(...steps: ScriptStep[]): void {
      // Validate all first, so a bad step leaves the queue as it was.
      queue.push(...steps.map(validateStep));
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
