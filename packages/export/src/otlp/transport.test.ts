import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { fakeCredentialArb, findLeak, randomChars } from '@trace/test-utils';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { GOLDEN_OPTIONS, goldenDrafts } from '../__tests__/golden-input.js';
import { exportActionTraces } from '../export.js';
import { toOtlp } from './convert.js';
import { createOtlpExporter, OTLP_USER_AGENT } from './exporter.js';
import { encodeTraceRequest } from './protobuf.js';
import type { OtlpTraceRequest } from './types.js';

/** The official OTLP protobuf definitions, as the OpenTelemetry JS packages ship them. */
const require = createRequire(import.meta.url);
const root = require(
  require.resolve('@opentelemetry/otlp-transformer').replace(/index\.js$/, 'generated/root.js'),
);
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const Response_ = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/** Decoded with the official definitions, in the OTLP/JSON form `toOtlp` writes. */
function decode(bytes: Uint8Array): unknown {
  const object = Request.toObject(Request.decode(bytes), {
    longs: String,
    enums: Number,
    bytes: String,
    arrays: true,
  });
  return normalise(object, true);
}

/** Drops proto3 default values (empty lists too), and (decoded side) turns base64 ids into hex, int64 into numbers. */
function normalise(value: unknown, decoded = false, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, decoded));
  if (typeof value === 'string' && decoded && /^(trace|span|parentSpan)Id$/.test(key))
    return Buffer.from(value, 'base64').toString('hex');
  if (typeof value === 'string' && decoded && key === 'intValue') return Number(value);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const n = normalise(v, decoded, k);
    if (n === 0 || n === '' || n === undefined) continue;
    if (Array.isArray(n) && n.length === 0) continue;
    if (typeof n === 'object' && n !== null && !Array.isArray(n) && Object.keys(n).length === 0)
      continue;
    out[k] = n;
  }
  return out;
}

interface Seen {
  readonly headers: IncomingMessage['headers'];
  readonly raw: string[];
  readonly body: Buffer;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((resolve) => {
          s.closeAllConnections();
          s.close(resolve);
        }),
    ),
  );
});

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void,
  port = 0,
): Promise<{ endpoint: string; seen: Seen[]; port: number }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      seen.push({ headers: req.headers, raw: req.rawHeaders, body: Buffer.concat(parts) });
      handler(req, res, seen);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${bound}`, seen, port: bound };
}

const ok = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
};

const envelope = () => exportActionTraces(goldenDrafts(), GOLDEN_OPTIONS);
const fast = { initialBackoffMs: 1, maxBackoffMs: 5 };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('OTLP/HTTP protobuf', () => {
  it('sends a body the official definitions decode to the same request, as application/x-protobuf', async () => {
    const receiver = await listen(ok);
    const options = { serviceName: 'planner', includeContent: true };
    const result = await createOtlpExporter({
      endpoint: receiver.endpoint,
      protocol: 'http/protobuf',
      ...options,
    }).export(envelope());
    expect(result).toMatchObject({ batches: 1, attempts: 1 });
    const [request] = receiver.seen;
    expect(request!.headers['content-type']).toBe('application/x-protobuf');
    expect(request!.headers['user-agent']).toBe(OTLP_USER_AGENT);
    expect(OTLP_USER_AGENT).toMatch(/^trace-export-js\/\d+\.\d+\.\d+/);
    const expected = toOtlp(envelope(), options);
    expect(decode(request!.body)).toEqual(normalise(JSON.parse(JSON.stringify(expected))));
  });

  it('encodes every value kind the conversion writes: negative and large integers, doubles, arrays, booleans', () => {
    const request: OtlpTraceRequest = {
      resourceSpans: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          scopeSpans: [
            {
              scope: { name: 's', version: '1' },
              spans: [
                {
                  traceId: 'ab'.repeat(16),
                  spanId: 'cd'.repeat(8),
                  name: 'n é',
                  kind: 3,
                  startTimeUnixNano: '18446744073709551615',
                  endTimeUnixNano: '1',
                  attributes: [
                    { key: 'neg', value: { intValue: -5 } },
                    { key: 'big', value: { intValue: 2 ** 53 - 1 } },
                    { key: 'd', value: { doubleValue: 1 } },
                    { key: 'b', value: { boolValue: true } },
                    { key: 'f', value: { boolValue: false } },
                    { key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }] } } },
                  ],
                  droppedAttributesCount: 0,
                  events: [],
                  droppedEventsCount: 0,
                  status: { code: 2, message: 'bad' },
                  links: [],
                  droppedLinksCount: 0,
                  flags: 257,
                },
              ],
            },
          ],
        },
      ],
    };
    const decoded = Request.toObject(Request.decode(encodeTraceRequest(request)), {
      longs: String,
      bytes: String,
    });
    const span = decoded.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.startTimeUnixNano).toBe('18446744073709551615');
    expect(span.name).toBe('n é');
    expect(span.flags).toBe(257);
    expect(span.status).toEqual({ code: 2, message: 'bad' });
    expect(span.attributes.map((a: { value: unknown }) => a.value)).toEqual([
      { intValue: '-5' },
      { intValue: String(2 ** 53 - 1) },
      { doubleValue: 1 },
      { boolValue: true },
      { boolValue: false },
      { arrayValue: { values: [{ stringValue: 'x' }] } },
    ]);
  });

  it('reads partialSuccess from a protobuf answer', async () => {
    const receiver = await listen((_req, res) => {
      const body = Response_.encode({
        partialSuccess: { rejectedSpans: 3, errorMessage: 'too big' },
      }).finish();
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end(Buffer.from(body));
    });
    const result = await createOtlpExporter({
      endpoint: receiver.endpoint,
      protocol: 'http/protobuf',
    }).export(envelope());
    expect(result.rejectedSpans).toBe(3);
    expect(result.partialSuccess).toEqual([
      { batch: 0, rejectedSpans: 3, errorMessage: 'too big' },
    ]);
  });
});

describe('OTLP/HTTP requests', () => {
  it('gzip-compresses the body when asked, JSON or protobuf', async () => {
    const receiver = await listen(ok);
    for (const protocol of ['http/json', 'http/protobuf'] as const) {
      await createOtlpExporter({
        endpoint: receiver.endpoint,
        protocol,
        compression: 'gzip',
      }).export(envelope());
    }
    const [json, proto] = receiver.seen;
    for (const seen of [json!, proto!]) expect(seen.headers['content-encoding']).toBe('gzip');
    const expected = toOtlp(envelope());
    expect(JSON.parse(gunzipSync(json!.body).toString('utf8'))).toEqual(
      JSON.parse(JSON.stringify(expected)),
    );
    expect(decode(gunzipSync(proto!.body))).toEqual(
      normalise(JSON.parse(JSON.stringify(expected))),
    );
  });

  it('sends one well-formed content-type whatever headers the caller passes', async () => {
    const receiver = await listen(ok);
    const key = randomChars(24);
    await createOtlpExporter({
      endpoint: receiver.endpoint,
      headers: {
        'Content-Type': 'application/json',
        'Content-Encoding': 'br',
        'x-api-key': key,
        'User-Agent': 'my-agent/2',
      },
    }).export(envelope());
    const [seen] = receiver.seen;
    const named = (name: string) =>
      seen!.raw.filter((_, i) => i % 2 === 0 && seen!.raw[i]!.toLowerCase() === name);
    expect(named('content-type')).toHaveLength(1);
    expect(seen!.headers['content-type']).toBe('application/json');
    expect(seen!.headers['content-encoding']).toBeUndefined();
    expect(seen!.headers['x-api-key']).toBe(key);
    // The caller's own user agent is kept.
    expect(seen!.headers['user-agent']).toBe('my-agent/2');
  });

  it('retries a refused connection with backoff, and succeeds once the collector is up', async () => {
    const port = await freePort();
    let calls = 0;
    const exporter = createOtlpExporter({
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 4,
      initialBackoffMs: 50,
      // The real fetch, counting its calls; the collector starts after the first refusal.
      fetch: async (input, init) => {
        calls++;
        try {
          return await fetch(input, init);
        } catch (error) {
          if (calls === 1) await listen(ok, port);
          throw error;
        }
      },
    });
    const result = await exporter.export(envelope());
    expect(calls).toBe(2);
    expect(result.attempts).toBe(2);
  });

  it('gives up after maxAttempts refused connections, as EXPORT_OTLP_UNREACHABLE', async () => {
    const port = await freePort();
    const error = await createOtlpExporter({
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 3,
      ...fast,
    })
      .export(envelope())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EXPORT_OTLP_UNREACHABLE', details: { attempts: 3 } });
  });

  it('does not report a 200 whose body stalls as a success', async () => {
    const receiver = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partialSuccess":');
      // …and never the rest.
    });
    const error = await createOtlpExporter({ endpoint: receiver.endpoint, timeoutMs: 300, ...fast })
      .export(envelope())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'EXPORT_OTLP_UNREACHABLE',
      details: { status: 200, attempts: 1 },
    });
  });
});

describe('credentials in the endpoint', () => {
  it('sends user info as Basic authorization and keeps it and query keys out of errors', async () => {
    const password = `p${randomChars(15)}`;
    const key = randomChars(28);
    const receiver = await listen((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`bad request to /v1/traces?api_key=${key}`);
    });
    const endpoint = receiver.endpoint.replace('http://', `http://app:${password}@`);
    const error = (await createOtlpExporter({ endpoint: `${endpoint}/v1/traces?api_key=${key}` })
      .export(envelope())
      .catch((e: unknown) => e)) as Error & { details: unknown };
    expect(error).toMatchObject({ code: 'EXPORT_OTLP_REJECTED', details: { status: 400 } });
    expect(receiver.seen[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from(`app:${password}`).toString('base64')}`,
    );
    for (const text of [error.message, JSON.stringify(error.details), JSON.stringify(error)]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(key);
    }
    // Unreachable and malformed endpoints say nothing of them either.
    const port = await freePort();
    const unreachable = (await createOtlpExporter({
      endpoint: `http://app:${password}@127.0.0.1:${port}/?api_key=${key}`,
      maxAttempts: 1,
    })
      .export(envelope())
      .catch((e: unknown) => e)) as Error & { details: unknown; cause?: unknown };
    expect(unreachable).toMatchObject({ code: 'EXPORT_OTLP_UNREACHABLE' });
    const bad = (() => {
      try {
        createOtlpExporter({ endpoint: `http://app:${password}@[bad/?api_key=${key}` });
      } catch (e) {
        return e as Error & { details?: unknown; cause?: unknown };
      }
    })();
    expect(bad).toMatchObject({ code: 'EXPORT_INVALID_OPTIONS' });
    // A header HTTP cannot carry, and user info that is not percent-encoding, are typed errors.
    expect(() =>
      createOtlpExporter({ endpoint: receiver.endpoint, headers: { 'x-key': `a\n${key}` } }),
    ).toThrowError(expect.objectContaining({ code: 'EXPORT_INVALID_OPTIONS' }));
    expect(() =>
      createOtlpExporter({ endpoint: receiver.endpoint.replace('http://', 'http://a:%zz@') }),
    ).not.toThrow();
    for (const e of [unreachable, bad!]) {
      const text = `${e.message} ${JSON.stringify(e.details)} ${String((e.cause as Error | undefined)?.message)}`;
      expect(text).not.toContain(password);
      expect(text).not.toContain(key);
    }
  });

  it('no credential format in the endpoint reaches an error (property)', async () => {
    const port = await freePort();
    await fc.assert(
      fc.asyncProperty(
        fakeCredentialArb(),
        fc.constantFrom('api_key', 'token', 'q'),
        async (credential, name) => {
          const secret = encodeURIComponent(credential.text);
          const endpoints = [
            `http://127.0.0.1:${port}/v1/traces?${name}=${secret}`,
            `http://app:${encodeURIComponent(credential.secrets[0]!)}@127.0.0.1:${port}/`,
          ];
          for (const endpoint of endpoints) {
            const error = (await createOtlpExporter({ endpoint, maxAttempts: 1 })
              .export(envelope())
              .catch((e: unknown) => e)) as Error & { details?: unknown; cause?: unknown };
            expect(error).toMatchObject({ code: 'EXPORT_OTLP_UNREACHABLE' });
            const text = `${error.message} ${JSON.stringify(error.details)} ${String((error.cause as Error | undefined)?.message)}`;
            let decoded = text;
            try {
              decoded = decodeURIComponent(text);
            } catch {
              // Not percent-encoded text: checked as it is.
            }
            for (const form of [text, decoded])
              expect(findLeak(form, credential), text).toBeUndefined();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
