import { context, type HrTime, type Link, trace as otelTrace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  type IdGenerator,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { fakeCredential } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { GOLDEN_OPTIONS, goldenDrafts } from '../__tests__/golden-input.js';
import { exportActionTraces } from '../export.js';
import { OTLP_SCOPE, otlpSpanId, otlpTraceId, toOtlp } from './convert.js';
import type { OtlpAnyValue, OtlpKeyValue, OtlpSpan, OtlpTraceRequest } from './types.js';

function attrs(list: readonly OtlpKeyValue[]): Record<string, unknown> {
  return Object.fromEntries(list.map((kv) => [kv.key, plain(kv.value)]));
}

function plain(value: OtlpAnyValue): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return value.intValue;
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  return value.arrayValue.values.map(plain);
}

function spansOf(request: OtlpTraceRequest): OtlpSpan[] {
  return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => [...s.spans]));
}

const golden = () => exportActionTraces(goldenDrafts(), GOLDEN_OPTIONS);

describe('toOtlp', () => {
  it('refuses, with a typed error, a time OTLP cannot carry: before 1970 or past 2554', () => {
    const at = (invokedAt: string, durationMs = 0) =>
      exportActionTraces([{ ...goldenDrafts()[0]!, invokedAt, durationMs }], GOLDEN_OPTIONS);
    const epoch = spansOf(toOtlp(at('1970-01-01T00:00:00.000Z')));
    expect(epoch.find((span) => span.spanId === otlpSpanId('act_golden_model'))).toMatchObject({
      startTimeUnixNano: '0',
    });
    for (const [invokedAt, part] of [
      ['1969-12-31T23:59:59.999Z', 'start'],
      ['2554-07-21T23:34:33.709Z', 'end'],
      ['2600-01-01T00:00:00.000Z', 'start'],
    ] as const) {
      expect(() => toOtlp(at(invokedAt, 1000))).toThrowError(
        expect.objectContaining({
          code: 'EXPORT_OTLP_TIME_RANGE',
          details: expect.objectContaining({ id: 'act_golden_model', part }),
        }),
      );
    }
  });

  it('maps actions to GenAI spans under one invoke_agent root per run', () => {
    const request = toOtlp(golden(), { serviceName: 'demo-agent' });
    const spans = spansOf(request);
    expect(spans.map((s) => s.name)).toEqual([
      'invoke_agent demo-agent',
      'chat claude-sonnet-4-5',
      'execute_tool get_weather',
      'execute_tool lookup_customer',
      'execute_tool memory',
      'phase execute',
    ]);
    const [root, chat, tool, failed] = spans;
    expect(root!.parentSpanId).toBeUndefined();
    expect(spans.every((s) => s.traceId === root!.traceId)).toBe(true);
    // The tree a tracing backend draws: the tool under the call that asked for it, the other
    // actions under the phase whose time holds them, the phase and the call under the root.
    const nameOf = new Map(spans.map((s) => [s.spanId, s.name]));
    expect(spans.slice(1).map((s) => [s.name, nameOf.get(s.parentSpanId!)])).toEqual([
      ['chat claude-sonnet-4-5', 'invoke_agent demo-agent'],
      ['execute_tool get_weather', 'chat claude-sonnet-4-5'],
      ['execute_tool lookup_customer', 'phase execute'],
      ['execute_tool memory', 'phase execute'],
      ['phase execute', 'invoke_agent demo-agent'],
    ]);
    expect(root!.traceId).toBe(otlpTraceId('run-golden'));
    expect(root!.startTimeUnixNano).toBe('1767225600000000000');
    expect(root!.endTimeUnixNano).toBe('1767225603500000000');
    expect(chat!.kind).toBe(3);
    expect(attrs(chat!.attributes)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.response.finish_reasons': ['tool_use'],
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 45,
      'trace.evidence.tape.exchange_index': 0,
    });
    expect(chat!.endTimeUnixNano).toBe('1767225600812500000');
    // Content is off by default.
    expect(Object.keys(attrs(chat!.attributes)).some((k) => k.includes('messages'))).toBe(false);
    expect(attrs(tool!.attributes)).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.id': 'toolu_1',
    });
    expect(attrs(tool!.attributes)).not.toHaveProperty('gen_ai.tool.call.arguments');
    // Nested under the call that asked for it, the tool needs no link to it.
    expect(tool!.parentSpanId).toBe(otlpSpanId('act_golden_model'));
    expect(tool!.links).toEqual([]);
    expect(tool!.events.map((e) => e.name)).toEqual([
      'trace.correction',
      'gen_ai.evaluation.result',
    ]);
    expect(attrs(failed!.attributes)['error.type']).toBe('NotFound');
    expect(failed!.status.code).toBe(2);
    expect(failed!.events[0]!.name).toBe('exception');
  });

  it('is deterministic: converting the same export twice gives the same request', () => {
    expect(JSON.stringify(toOtlp(golden()))).toBe(JSON.stringify(toOtlp(golden())));
  });

  it('records content only when asked, still redacted', () => {
    const secret = fakeCredential('openai_project_key').text;
    const envelope = exportActionTraces(
      [
        {
          runId: 'r',
          kind: 'model_call',
          name: 'openai.chat.completions',
          invokedAt: 0,
          status: 'succeeded',
          arguments: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] },
          model: { provider: 'openai', requestModel: 'gpt-4o', streamed: false },
        },
        {
          runId: 'r',
          kind: 'tool_call',
          name: 't',
          invokedAt: 0,
          status: 'succeeded',
          arguments: { q: 1 },
          result: { ok: true },
          annotations: [{ note: 'n' }],
        },
      ],
      { allowRawResults: true },
    );
    const spans = spansOf(toOtlp(envelope, { includeContent: true }));
    // The conventions' message shape, not the provider's.
    expect(attrs(spans[1]!.attributes)['gen_ai.input.messages']).toBe(
      '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
    );
    expect(attrs(spans[2]!.attributes)).toMatchObject({
      'gen_ai.tool.call.arguments': '{"q":1}',
      'gen_ai.tool.call.result': '{"ok":true}',
    });
    expect(spans[2]!.events.map((e) => e.name)).toEqual(['trace.annotation']);
    // A hand-made trace that was never redacted is redacted on the way out.
    const raw = {
      ...envelope.traces[1]!,
      name: `tool ${secret}`,
      metadata: { password: 'hunter2', note: secret },
    };
    const text = JSON.stringify(toOtlp([raw], { includeContent: true }));
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter2');
    // Resource attributes get the same key-name rules and detectors, on keys and values.
    const opaque = `opaque-${fakeCredential('github_token').text.slice(4, 20)}`;
    const resource = toOtlp(envelope, {
      resourceAttributes: {
        'x-api-key': opaque,
        [`k ${secret}`]: 1,
        'deployment.environment.name': 'ci',
      },
    }).resourceSpans[0]!.resource.attributes;
    expect(JSON.stringify(resource)).not.toContain(opaque);
    expect(JSON.stringify(resource)).not.toContain(secret);
    expect(attrs(resource)).toMatchObject({
      'x-api-key': '[REDACTED:api_key]',
      'k [REDACTED:openai_key]': 1,
      'deployment.environment.name': 'ci',
    });
  });

  it('has the shape the OpenTelemetry JS SDK serializer produces for the same spans', () => {
    const ours = JSON.parse(
      JSON.stringify(
        toOtlp(golden(), {
          serviceName: 'demo-agent',
          resourceAttributes: { 'deployment.environment.name': 'test' },
        }),
      ),
    ) as OtlpTraceRequest;
    const spans = spansOf(ours);
    const traceIds = spans.map((s) => s.traceId);
    const spanIds = spans.map((s) => s.spanId);
    const ids: IdGenerator = {
      generateTraceId: () => traceIds.shift()!,
      generateSpanId: () => spanIds.shift()!,
    };
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes(
        attrs(ours.resourceSpans[0]!.resource.attributes) as Record<string, string>,
      ),
      idGenerator: ids,
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer(OTLP_SCOPE.name, OTLP_SCOPE.version);
    const hr = (nanos: string): HrTime => {
      const n = BigInt(nanos);
      return [Number(n / 1_000_000_000n), Number(n % 1_000_000_000n)];
    };
    for (const span of spansOf(ours)) {
      const parent =
        span.parentSpanId === undefined
          ? context.active()
          : otelTrace.setSpanContext(context.active(), {
              traceId: span.traceId,
              spanId: span.parentSpanId,
              traceFlags: 1,
            });
      if (span.parentSpanId !== undefined) traceIds.unshift(span.traceId);
      const links: Link[] = span.links.map((l) => ({
        context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 1 },
        attributes: {},
      }));
      const sdkSpan = tracer.startSpan(
        span.name,
        {
          kind: span.kind - 1,
          startTime: hr(span.startTimeUnixNano),
          attributes: attrs(span.attributes) as never,
          links,
        },
        parent,
      );
      for (const event of span.events)
        sdkSpan.addEvent(event.name, attrs(event.attributes) as never, hr(event.timeUnixNano));
      if (span.status.code !== 0)
        sdkSpan.setStatus({
          code: span.status.code,
          ...(span.status.message !== undefined ? { message: span.status.message } : {}),
        });
      sdkSpan.end(hr(span.endTimeUnixNano));
    }
    const theirs = JSON.parse(
      new TextDecoder().decode(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())),
    );
    expect(ours).toEqual(theirs);
  });
});
