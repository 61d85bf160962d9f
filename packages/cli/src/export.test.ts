/**
 * `trace export` on real runs of the example agent: the same bytes the demo wrote through the
 * library, JSON Lines that read back, and OTLP sent to a real HTTP server on 127.0.0.1.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readActionTraceEnvelope, readJsonl } from '@trace/export';
import { describe, expect, inject, it } from 'vitest';
import { trace, traceAsync } from './__tests__/trace.js';

const demo = () => inject('fixtures').demo1;
const tape = () => join(demo(), 'run.tape.db');
const audit = () => join(demo(), 'audit');
/** The demo exports its run under the audit session's name; so do these. */
const merged = () => ['--audit', audit(), '--run-id', 'trip-planner'];

describe('trace export', () => {
  it('--format json with --audit: the envelope the demo wrote through the library, byte for byte', () => {
    const run = trace(['export', tape(), 'agent-run', ...merged(), '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(demo(), 'actions.json'), 'utf8'));
    const envelope = readActionTraceEnvelope(run.stdout);
    const kinds = new Set(envelope.traces.map((t) => t.kind));
    expect([...kinds].sort()).toEqual(['decision', 'model_call', 'phase', 'tool_call']);
  });

  it('--format otlp with --audit: the OTLP/JSON the demo wrote', () => {
    const run = trace(['export', tape(), 'agent-run', ...merged(), '--format', 'otlp']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(demo(), 'otlp.json'), 'utf8'));
  });

  it('from the tape alone: its model calls and tool calls, under run tape:<fingerprint>', () => {
    const [summary] = JSON.parse(trace(['ls', tape(), '--json']).stdout);
    const envelope = readActionTraceEnvelope(trace(['export', tape()]).stdout);
    expect(envelope.traces.filter((t) => t.kind === 'model_call')).toHaveLength(summary.exchanges);
    expect(envelope.traces.some((t) => t.kind === 'tool_call')).toBe(true);
    expect(new Set(envelope.traces.map((t) => t.runId))).toEqual(
      new Set([`tape:${summary.fingerprint}`]),
    );
  });

  it('--format jsonl: a header, then the same traces one per line, read back by readJsonl', async () => {
    const json = readActionTraceEnvelope(
      trace(['export', tape(), 'agent-run', ...merged()]).stdout,
    );
    const run = trace(['export', tape(), 'agent-run', ...merged(), '--format', 'jsonl']);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(JSON.parse(lines[0] as string)).toEqual({
      schema: 'trace.action-trace',
      version: 1,
      format: 'jsonl',
    });
    expect(lines).toHaveLength(json.traces.length + 1);
    const back = [];
    for await (const t of readJsonl([run.stdout])) back.push(t);
    expect(back).toEqual(json.traces);
  });

  it('--out writes the file and says so on stdout', () => {
    const file = join(inject('fixtures').dir, 'export-out.jsonl');
    const run = trace(['export', `${tape()}#agent-run`, '--format', 'jsonl', '--out', file]);
    expect(run.status).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(run.stdout).toBe(`wrote ${lines.length - 1} actions as jsonl to ${file}\n`);
  });
});

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A collector on 127.0.0.1 that keeps every request it receives and answers `status`. */
async function collector(status = 200, answer = '{}') {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    res.writeHead(status, { 'content-type': 'application/json' }).end(answer);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('trace export --endpoint: OTLP to a collector', () => {
  it('sends the OTLP/JSON that --format otlp prints, to <endpoint>/v1/traces', async () => {
    const otlp = JSON.parse(trace(['export', tape(), ...merged(), '--format', 'otlp']).stdout);
    const spans = otlp.resourceSpans[0].scopeSpans[0].spans.length;
    const server = await collector();
    const run = await traceAsync([
      'export',
      tape(),
      ...merged(),
      '--endpoint',
      server.endpoint,
      '--header',
      'x-team=blue',
    ]);
    await server.close();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`sent ${spans} spans in 1 batch (1 attempt)\n`);
    expect(server.received).toHaveLength(1);
    const [request] = server.received as [Received];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/traces');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-team']).toBe('blue');
    expect(JSON.parse(request.body.toString('utf8'))).toEqual(otlp);
  });

  it('--protocol protobuf --gzip: compressed binary protobuf, with the headers of OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const server = await collector();
    const run = await traceAsync(
      ['export', tape(), '--endpoint', server.endpoint, '--protocol', 'protobuf', '--gzip'],
      { env: { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20from-env, x-team=green' } },
    );
    await server.close();
    expect(run.status, run.stderr).toBe(0);
    const [request] = server.received as [Received];
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers['content-encoding']).toBe('gzip');
    // OpenTelemetry's header variable, percent-decoded.
    expect(request.headers.authorization).toBe('Bearer from-env');
    expect(request.headers['x-team']).toBe('green');
    const body = gunzipSync(request.body);
    // Protobuf, not JSON: the model's name appears as bytes inside a binary message.
    expect(body[0]).not.toBe('{'.charCodeAt(0));
    expect(body.includes('claude-trace-demo')).toBe(true);
  });

  it('a collector that refuses: one line naming EXPORT_OTLP_REJECTED, exit 1', async () => {
    const server = await collector(400, '{"message":"bad request"}');
    const run = await traceAsync(['export', tape(), '--endpoint', server.endpoint]);
    await server.close();
    expect(server.received).toHaveLength(1);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^trace: .*400.* \[EXPORT_OTLP_REJECTED\]\n$/);
  });

  it('a collector that takes some spans only: exit 1, and how many it rejected', async () => {
    const server = await collector(
      200,
      '{"partialSuccess":{"rejectedSpans":2,"errorMessage":"too old"}}',
    );
    const run = await traceAsync(['export', tape(), '--endpoint', server.endpoint]);
    await server.close();
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('trace: the collector rejected 2 spans: too old\n');
  });
});

describe('trace export: bad options are one line and exit 2', () => {
  it('an unknown --format', () => {
    const run = trace(['export', tape(), '--format', 'xml']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/argument 'xml' is invalid/);
  });

  it('--endpoint with --format json', () => {
    const run = trace(['export', tape(), '--format', 'json', '--endpoint', 'http://127.0.0.1:1']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'trace: --endpoint sends OTLP: leave out --format json, or give --format otlp. [CLI_USAGE]\n',
    );
  });

  it('an audit folder that is not there', () => {
    const run = trace(['export', tape(), '--audit', join(demo(), 'nope')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^trace: No audit log folder at .*nope: check the path\. \[CLI_FILE_NOT_FOUND\]\n$/,
    );
  });

  it('an endpoint that is not a URL', () => {
    const run = trace(['export', tape(), '--endpoint', 'collector']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^trace: .* \[EXPORT_INVALID_OPTIONS\]\n$/);
  });
});
