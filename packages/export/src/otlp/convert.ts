import type { JsonValue } from '@trace/spec';
import type { ActionTrace, ActionTraceEnvelope } from '../contract.js';
import { ExportError, ExportErrorCode } from '../errors.js';
import { digestHex } from '../ids.js';
import {
  createRedactor,
  exportRedactor,
  type RedactionOptions,
  type Redactor,
} from '../redact/redactor.js';
import {
  type OtlpAnyValue,
  type OtlpEvent,
  type OtlpKeyValue,
  type OtlpLink,
  type OtlpSpan,
  type OtlpTraceRequest,
  SpanKind,
  StatusCode,
} from './types.js';

/** How to convert traces to OTLP. */
export interface OtlpOptions {
  /** `service.name` of the resource. Default `agent`. */
  readonly serviceName?: string;
  /** `gen_ai.agent.name` of each run's `invoke_agent` root span. Default the service name. */
  readonly agentName?: string;
  /** More resource attributes (`deployment.environment.name`, …). */
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Record message content, tool arguments and results, and annotations. Off by default, as the
   * GenAI conventions recommend; when on, the content is still redacted.
   */
  readonly includeContent?: boolean;
  /** The redaction re-applied to every string the conversion emits. */
  readonly redaction?: RedactionOptions | Redactor;
}

/** The instrumentation scope the spans carry. */
export const OTLP_SCOPE = { name: '@trace/export', version: '1' } as const;

/** W3C sampled flag plus OTLP's "has is-remote" bit, as the OTel SDK writes for local parents. */
const SPAN_FLAGS = 0x101;

/** OTLP trace id (32 hex) for a run: the same run always maps to the same trace. */
export function otlpTraceId(runId: string): string {
  return digestHex('otlp-trace', runId).slice(0, 32);
}

/** OTLP span id (16 hex) for an action id; the run's root span uses `otlpRootSpanId`. */
export function otlpSpanId(actionId: string): string {
  return digestHex('otlp-span', actionId).slice(0, 16);
}

export function otlpRootSpanId(runId: string): string {
  return digestHex('otlp-root', runId).slice(0, 16);
}

function nanos(ms: number): bigint {
  // Split whole and fractional milliseconds so big epoch values keep sub-millisecond precision.
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1_000_000));
}

/** OTLP times are unsigned 64-bit nanoseconds since the Unix epoch. */
const MAX_OTLP_NS = 2n ** 64n - 1n;

/**
 * Checks that OTLP can carry a time, in nanoseconds: the contract accepts years 0000 to 9999, but
 * a negative or overflowing fixed64 would be written as a value no collector reads back as the
 * same instant. Such a time is almost always a unit mistake.
 */
function otlpTime(ns: bigint, traceId: string, part: 'start' | 'end' | 'correction'): bigint {
  if (ns < 0n || ns > MAX_OTLP_NS) {
    const at = new Date(Number(ns / 1_000_000n)).toISOString();
    throw new ExportError(
      ExportErrorCode.OTLP_TIME_RANGE,
      `The ${part} of trace ${JSON.stringify(traceId)} (${at}) lies outside the times OTLP can carry, 1970-01-01 to 2554-07-21 UTC: correct the time, or leave the trace out of the OTLP export.`,
      { details: { id: traceId, part, at } },
    );
  }
  return ns;
}

function isRedactor(value: unknown): value is Redactor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redactor).redactString === 'function'
  );
}

interface Prepared {
  readonly trace: ActionTrace;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/**
 * Converts action traces to an OTLP/JSON `ExportTraceServiceRequest` following the OpenTelemetry
 * GenAI semantic conventions: per run, an `invoke_agent` root span, with a `chat` span per model
 * call, an `execute_tool` span per tool or script call, and a `phase` span per phase. Ids are
 * derived from run and action ids, so converting the same export twice gives the same request.
 */
export function toOtlp(
  input: ActionTraceEnvelope | readonly ActionTrace[],
  options: OtlpOptions = {},
): OtlpTraceRequest {
  const traces = Array.isArray(input)
    ? (input as readonly ActionTrace[])
    : (input as ActionTraceEnvelope)?.traces;
  if (!Array.isArray(traces)) {
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      'toOtlp takes an envelope from exportActionTraces or an array of its traces.',
    );
  }
  const redactor = isRedactor(options.redaction)
    ? exportRedactor(options.redaction)
    : createRedactor(options.redaction ?? {});
  const serviceName = options.serviceName ?? 'agent';
  const agentName = options.agentName ?? serviceName;
  const content = options.includeContent === true;
  const str = (value: string): OtlpAnyValue => ({ stringValue: redactor.redactString(value) });

  const runs = new Map<string, Prepared[]>();
  for (const trace of traces) {
    if (!looksLikeTrace(trace)) {
      throw new ExportError(
        ExportErrorCode.NOT_AN_EXPORT,
        'toOtlp takes traces made by exportActionTraces: one of them lacks id, runId, kind, name, principal or evidence.',
      );
    }
    const start = Date.parse(trace.invokedAt);
    if (!Number.isFinite(start)) {
      throw new ExportError(
        ExportErrorCode.NOT_AN_EXPORT,
        `Trace ${JSON.stringify(trace.id)} has no valid invokedAt: convert traces made by exportActionTraces.`,
      );
    }
    const startNs = otlpTime(nanos(start), trace.id, 'start');
    const endNs = otlpTime(startNs + nanos(trace.durationMs ?? 0), trace.id, 'end');
    const list = runs.get(trace.runId) ?? [];
    list.push({ trace, startNs, endNs });
    runs.set(trace.runId, list);
  }

  const spans: OtlpSpan[] = [];
  for (const [runId, list] of runs) {
    const traceId = otlpTraceId(runId);
    const rootId = otlpRootSpanId(runId);
    let first = list[0]!.startNs;
    let last = list[0]!.endNs;
    for (const p of list) {
      if (p.startNs < first) first = p.startNs;
      if (p.endNs > last) last = p.endNs;
    }
    spans.push({
      traceId,
      spanId: rootId,
      name: redactor.redactString(`invoke_agent ${agentName}`),
      kind: SpanKind.INTERNAL,
      startTimeUnixNano: first.toString(),
      endTimeUnixNano: last.toString(),
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } },
        { key: 'gen_ai.agent.name', value: str(agentName) },
        { key: 'trace.run.id', value: str(runId) },
      ],
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      status: { code: StatusCode.UNSET },
      links: [],
      droppedLinksCount: 0,
      flags: SPAN_FLAGS,
    });
    const ids = new Set(list.map((p) => p.trace.id));
    for (const p of list) {
      try {
        spans.push(actionSpan(p, traceId, rootId, ids, redactor, content));
      } catch (cause) {
        if (ExportError.isInstance(cause)) throw cause;
        throw new ExportError(
          ExportErrorCode.NOT_AN_EXPORT,
          `Trace ${JSON.stringify(p.trace.id)} is not in the contract's shape: convert traces made by exportActionTraces.`,
          { cause },
        );
      }
    }
  }

  const resourceAttributes: OtlpKeyValue[] = [{ key: 'service.name', value: str(serviceName) }];
  // Resource attributes are flat key/value metadata too: key-name rules and detectors apply to
  // their keys and values alike, as for a trace's metadata.
  const extra = redactor.redactValue(options.resourceAttributes ?? {}, ['resource']);
  for (const [key, value] of Object.entries(extra as Record<string, JsonValue>)) {
    if (key === 'service.name') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      resourceAttributes.push({ key, value: anyValue(value, redactor) });
    }
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes, droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { ...OTLP_SCOPE }, spans }],
      },
    ],
  };
}

function looksLikeTrace(value: unknown): value is ActionTrace {
  const t = value as Partial<ActionTrace> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.id === 'string' &&
    typeof t.runId === 'string' &&
    typeof t.kind === 'string' &&
    typeof t.name === 'string' &&
    typeof t.invokedAt === 'string' &&
    typeof t.principal === 'object' &&
    t.principal !== null &&
    typeof t.evidence === 'object' &&
    t.evidence !== null
  );
}

function anyValue(value: string | number | boolean, redactor: Redactor): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: redactor.redactString(value) };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
}

function json(value: JsonValue | undefined, redactor: Redactor): string {
  // Re-redact the value as a tree (key rules apply), then its text (detectors apply).
  return redactor.redactString(JSON.stringify(redactor.redactValue(value ?? null)));
}

function actionSpan(
  prepared: Prepared,
  traceId: string,
  rootId: string,
  ids: ReadonlySet<string>,
  redactor: Redactor,
  content: boolean,
): OtlpSpan {
  const { trace } = prepared;
  const attributes: OtlpKeyValue[] = [];
  const add = (key: string, value: string | number | boolean | undefined): void => {
    if (value !== undefined) attributes.push({ key, value: anyValue(value, redactor) });
  };
  let name: string;
  let kind: number = SpanKind.INTERNAL;
  if (trace.kind === 'model_call') {
    const model = trace.model;
    kind = SpanKind.CLIENT;
    name = model?.requestModel !== undefined ? `chat ${model.requestModel}` : 'chat';
    add('gen_ai.operation.name', 'chat');
    add('gen_ai.provider.name', model?.provider);
    add('gen_ai.request.model', model?.requestModel);
    add('gen_ai.request.max_tokens', model?.maxTokens);
    add('gen_ai.request.temperature', model?.temperature);
    add('gen_ai.request.top_p', model?.topP);
    add('gen_ai.response.model', model?.responseModel);
    add('gen_ai.response.id', model?.responseId);
    if (model?.finishReasons !== undefined) {
      attributes.push({
        key: 'gen_ai.response.finish_reasons',
        value: {
          arrayValue: {
            values: model.finishReasons.map((r) => ({ stringValue: redactor.redactString(r) })),
          },
        },
      });
    }
    add('gen_ai.usage.input_tokens', model?.inputTokens);
    add('gen_ai.usage.output_tokens', model?.outputTokens);
    if (
      content &&
      trace.arguments !== undefined &&
      typeof trace.arguments === 'object' &&
      trace.arguments !== null &&
      !Array.isArray(trace.arguments)
    ) {
      const args = trace.arguments as Record<string, JsonValue>;
      if (args.system !== undefined) add('gen_ai.system_instructions', json(args.system, redactor));
      if (args.messages !== undefined) add('gen_ai.input.messages', json(args.messages, redactor));
    }
    if (content && trace.result?.value !== undefined)
      add('gen_ai.output.messages', json(trace.result.value, redactor));
  } else if (trace.kind === 'tool_call' || trace.kind === 'script_call') {
    name = `execute_tool ${trace.name}`;
    add('gen_ai.operation.name', 'execute_tool');
    add('gen_ai.tool.name', trace.name);
    add('gen_ai.tool.call.id', trace.callId);
    add('gen_ai.tool.type', trace.kind === 'script_call' ? 'extension' : 'function');
    if (content && trace.arguments !== undefined)
      add('gen_ai.tool.call.arguments', json(trace.arguments, redactor));
    if (content && trace.result?.value !== undefined)
      add('gen_ai.tool.call.result', json(trace.result.value, redactor));
  } else {
    name = `phase ${trace.name}`;
    add('trace.phase.name', trace.name);
  }
  if (trace.error !== undefined) add('error.type', trace.error.type);
  add('trace.action.id', trace.id);
  add('trace.action.kind', trace.kind);
  add('trace.principal.kind', trace.principal.kind);
  add('trace.principal.id', trace.principal.id);
  add('trace.sensitivity', trace.sensitivity);
  add('trace.iteration', trace.iteration);
  add('trace.parent.id', trace.parentId);
  const tape = trace.evidence.tape;
  add('trace.evidence.tape.fingerprint', tape?.fingerprint);
  add('trace.evidence.tape.exchange_index', tape?.exchangeIndex);
  add('trace.evidence.tape.tool_call_index', tape?.toolCallIndex);
  const audit = trace.evidence.audit;
  add('trace.evidence.audit.seq', audit?.seq);
  add('trace.evidence.audit.session', audit?.session);
  add('trace.evidence.audit.hash', audit?.hash);
  const summary = trace.result?.summary;
  if (summary !== undefined) {
    add('trace.result.type', summary.type);
    add('trace.result.bytes', summary.bytes);
    add('trace.result.items', summary.items);
    add('trace.result.content_blocks', summary.contentBlocks);
    add('trace.result.tool_calls', summary.toolCalls);
    add('trace.result.streamed', summary.streamed);
    add('trace.result.incomplete', summary.incomplete);
    add('trace.result.is_error', summary.isError);
  }
  if (trace.metadata !== undefined) {
    // Metadata is flattened already; run it through the key rules again, as attribute keys.
    const safe = redactor.redactValue(trace.metadata, ['metadata']) as Record<string, JsonValue>;
    for (const [key, value] of Object.entries(safe)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        add(`trace.metadata.${key}`, value);
      }
    }
  }

  const events: OtlpEvent[] = [];
  if (trace.error !== undefined) {
    events.push({
      attributes: [
        { key: 'exception.type', value: { stringValue: redactor.redactString(trace.error.type) } },
        {
          key: 'exception.message',
          value: { stringValue: redactor.redactString(trace.error.message) },
        },
      ],
      name: 'exception',
      timeUnixNano: prepared.endNs.toString(),
      droppedAttributesCount: 0,
    });
  }
  if (content && trace.annotations !== undefined) {
    for (const annotation of trace.annotations) {
      events.push({
        attributes: [
          { key: 'trace.annotation.data', value: { stringValue: json(annotation, redactor) } },
        ],
        name: 'trace.annotation',
        timeUnixNano: prepared.startNs.toString(),
        droppedAttributesCount: 0,
      });
    }
  }
  if (trace.correction !== undefined) {
    const at = Date.parse(trace.correction.at);
    events.push({
      attributes: [
        {
          key: 'trace.correction.by',
          value: { stringValue: redactor.redactString(trace.correction.by) },
        },
        {
          key: 'trace.correction.note',
          value: { stringValue: redactor.redactString(trace.correction.note) },
        },
      ],
      name: 'trace.correction',
      timeUnixNano: (Number.isFinite(at)
        ? otlpTime(nanos(at), trace.id, 'correction')
        : prepared.endNs
      ).toString(),
      droppedAttributesCount: 0,
    });
  }

  const links: OtlpLink[] = [];
  if (trace.parentId !== undefined && ids.has(trace.parentId)) {
    links.push({
      attributes: [],
      spanId: otlpSpanId(trace.parentId),
      traceId,
      droppedAttributesCount: 0,
      flags: SPAN_FLAGS,
    });
  }
  return {
    traceId,
    spanId: otlpSpanId(trace.id),
    parentSpanId: rootId,
    name: redactor.redactString(name),
    kind,
    startTimeUnixNano: prepared.startNs.toString(),
    endTimeUnixNano: prepared.endNs.toString(),
    attributes,
    droppedAttributesCount: 0,
    events,
    droppedEventsCount: 0,
    status:
      trace.status === 'failed'
        ? { code: StatusCode.ERROR, message: redactor.redactString(trace.error?.message ?? '') }
        : { code: StatusCode.UNSET },
    links,
    droppedLinksCount: 0,
    flags: SPAN_FLAGS,
  };
}
