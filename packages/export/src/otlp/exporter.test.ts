import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomChars } from '@trace/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActionTraceDraft } from '../draft.js';
import { exportActionTraces } from '../export.js';
import { createOtlpExporter } from './exporter.js';
import type { OtlpTraceRequest } from './types.js';

interface Received {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: OtlpTraceRequest;
}
interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A minimal OTLP/HTTP receiver on 127.0.0.1 that answers from a script of replies. */
async function startReceiver(script: Reply[], fallback: Reply = { status: 200, body: {} }) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(parts).toString('utf8')),
      });
      const reply = script.shift() ?? fallback;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function envelope(n: number) {
  const drafts: ActionTraceDraft[] = Array.from({ length: n }, (_, i) => ({
    runId: 'run',
    kind: 'tool_call',
    name: `tool${i}`,
    invokedAt: 1_700_000_000_000 + i,
    durationMs: 5,
    status: 'succeeded',
  }));
  return exportActionTraces(drafts);
}

const fast = { initialBackoffMs: 1, maxBackoffMs: 5 };

describe('createOtlpExporter', () => {
  it('POSTs OTLP/JSON to /v1/traces in batches, with the caller’s headers', async () => {
    const receiver = await startReceiver([]);
    const key = randomChars(24);
    const exporter = createOtlpExporter({
      endpoint: receiver.endpoint,
      headers: { 'x-api-key': key },
      maxBatchSpans: 4,
      ...fast,
    });
    const result = await exporter.export(envelope(6));
    expect(result).toEqual({
      batches: 2,
      spans: 7,
      attempts: 2,
      rejectedSpans: 0,
      partialSuccess: [],
    });
    expect(receiver.received.map((r) => r.url)).toEqual(['/v1/traces', '/v1/traces']);
    expect(receiver.received[0]!.headers['content-type']).toBe('application/json');
    expect(receiver.received[0]!.headers['x-api-key']).toBe(key);
    const counts = receiver.received.map(
      (r) => r.body.resourceSpans[0]!.scopeSpans[0]!.spans.length,
    );
    expect(counts).toEqual([4, 3]);
    expect(receiver.received[1]!.body.resourceSpans[0]!.resource.attributes[0]).toEqual({
      key: 'service.name',
      value: { stringValue: 'agent' },
    });
  });

  it('retries 429, 502, 503 and 504 with backoff, honouring Retry-After', async () => {
    const receiver = await startReceiver([
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 429 },
      { status: 502 },
      { status: 504 },
    ]);
    const result = await createOtlpExporter({
      endpoint: `${receiver.endpoint}/v1/traces`,
      maxAttempts: 5,
      ...fast,
    }).export(envelope(1));
    expect(result.attempts).toBe(5);
    expect(receiver.received).toHaveLength(5);
    // Every attempt sent the same body.
    expect(new Set(receiver.received.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });

  it('waits out Retry-After instead of its own backoff, and never retries earlier than asked', async () => {
    // The backoff alone would wait minutes: finishing at all shows Retry-After: 0 was followed.
    const receiver = await startReceiver([
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 503, headers: { 'retry-after': new Date(0).toUTCString() } },
    ]);
    const result = await createOtlpExporter({
      endpoint: receiver.endpoint,
      initialBackoffMs: 600_000,
      maxBackoffMs: 600_000,
    }).export(envelope(1));
    expect(result.attempts).toBe(3);
    // A collector asking for longer than maxBackoffMs is not retried early: one request, and an
    // error that says how long it asked for.
    const busy = await startReceiver([], { status: 503, headers: { 'retry-after': '3600' } });
    await expect(
      createOtlpExporter({ endpoint: busy.endpoint, ...fast }).export(envelope(1)),
    ).rejects.toMatchObject({
      code: 'EXPORT_OTLP_REJECTED',
      details: { status: 503, attempts: 1, retryAfterMs: 3_600_000 },
    });
    expect(busy.received).toHaveLength(1);
  });

  it('does not retry other statuses, and gives up after maxAttempts', async () => {
    for (const status of [400, 401, 500]) {
      const receiver = await startReceiver([{ status, body: { message: 'bad' } }]);
      await expect(
        createOtlpExporter({ endpoint: receiver.endpoint, ...fast }).export(envelope(1)),
      ).rejects.toMatchObject({ code: 'EXPORT_OTLP_REJECTED', details: { status, attempts: 1 } });
      expect(receiver.received).toHaveLength(1);
    }
    const busy = await startReceiver([], { status: 503 });
    await expect(
      createOtlpExporter({ endpoint: busy.endpoint, maxAttempts: 3, ...fast }).export(envelope(1)),
    ).rejects.toMatchObject({
      code: 'EXPORT_OTLP_REJECTED',
      details: { status: 503, attempts: 3 },
    });
    expect(busy.received).toHaveLength(3);
  });

  it('reports partialSuccess to the caller', async () => {
    const receiver = await startReceiver([
      {
        status: 200,
        body: { partialSuccess: { rejectedSpans: '2', errorMessage: 'span too large' } },
      },
      { status: 200, body: { partialSuccess: {} } },
    ]);
    const result = await createOtlpExporter({
      endpoint: receiver.endpoint,
      maxBatchSpans: 3,
      ...fast,
    }).export(envelope(4));
    expect(result.rejectedSpans).toBe(2);
    expect(result.partialSuccess).toEqual([
      { batch: 0, rejectedSpans: 2, errorMessage: 'span too large' },
    ]);
  });

  it('fails clearly when nothing listens, without echoing the credentials', async () => {
    const receiver = await startReceiver([]);
    await new Promise((resolve) => receiver.server.close(resolve));
    const key = randomChars(24);
    const error = await createOtlpExporter({
      endpoint: receiver.endpoint,
      headers: { authorization: `Bearer ${key}` },
      ...fast,
    })
      .export(envelope(1))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EXPORT_OTLP_UNREACHABLE' });
    expect(JSON.stringify(error)).not.toContain(key);
    expect(String((error as Error).message)).not.toContain(key);
  });

  it('does not hang on a collector that accepts the connection and never answers', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer(() => {
      // Read the request, answer nothing.
    });
    silent.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await createOtlpExporter({
        endpoint: `http://127.0.0.1:${port}`,
        timeoutMs: 200,
        ...fast,
      })
        .export(envelope(1))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'EXPORT_OTLP_UNREACHABLE', details: { attempts: 1 } });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports input it cannot convert as a rejected promise, sending nothing', async () => {
    const receiver = await startReceiver([]);
    const exporter = createOtlpExporter({ endpoint: receiver.endpoint, ...fast });
    await expect(exporter.export({ traces: 'none' } as never)).rejects.toMatchObject({
      code: 'EXPORT_NOT_AN_EXPORT',
    });
    for (const request of [
      {},
      { resourceSpans: [{}] },
      { resourceSpans: [{ scopeSpans: [{}] }] },
    ]) {
      await expect(exporter.send(request as never)).rejects.toMatchObject({
        code: 'EXPORT_NOT_AN_EXPORT',
      });
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses malformed options', () => {
    for (const options of [
      { endpoint: 'not a url' },
      { endpoint: 'ftp://x' },
      { endpoint: 'http://x', maxBatchSpans: 0 },
      { endpoint: 'http://x', initialBackoffMs: -1 },
    ]) {
      expect(() => createOtlpExporter(options)).toThrowError(
        expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }),
      );
    }
  });
});
