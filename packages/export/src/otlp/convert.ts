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
import { describeInstant } from '../time.js';
import { inputOf, outputOf } from './messages.js';
import { openInferenceAttributes } from './openinference.js';
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
  /**
   * `gen_ai.provider.name` of each run's `invoke_agent` span. Default: the provider of the run's
   * first model call, else `_OTHER`.
   */
  readonly providerName?: string;
  /** More resource attributes (`deployment.environment.name`, …). */
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Record message content, tool definitions, arguments and results, and annotations. Off by
   * default, as the GenAI conventions recommend; when on, the content is still redacted.
   */
  readonly includeContent?: boolean;
  /**
   * Also write the OpenInference attributes (`openinference.span.kind`, `llm.*`, `input.value`,
   * …) that Phoenix and other OpenInference tools read. Off by default.
   */
  readonly openInference?: boolean;
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
    // Described without `toISOString`, which throws for instants past year 275760.
    const at = describeInstant(Number(ns / 1_000_000n));
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
  /** This action's span id: unique in its run even when two traces share an action id. */
  spanId: string;
  /** The span this one nests under. */
  parentSpanId: string;
}

/** What every span of a run shares. */
interface RunContext {
  readonly traceId: string;
  readonly rootId: string;
  /** `gen_ai.conversation.id` and `session.id`, redacted once. */
  readonly conversation: OtlpAnyValue;
  readonly redactor: Redactor;
  readonly content: boolean;
  readonly openInference: boolean;
  /** Span ids by action id, for links. */
  readonly spanIds: ReadonlyMap<string, string>;
}

/**
 * Converts action traces to an OTLP/JSON `ExportTraceServiceRequest` following the OpenTelemetry
 * GenAI semantic conventions: per run, an `invoke_agent` root span; under it a `phase` span per
 * phase, a `chat` span per model call and an `execute_tool` span per tool or script call, each
 * nested under the phase it ran in, and each tool call under the model call that asked for it.
 * Ids are derived from run and action ids, so converting the same export twice gives the same
 * request.
 */
export function toOtlp(
  input: ActionTraceEnvelope | readonly ActionTrace[],
  options: OtlpOptions = {},
): OtlpTraceRequest {
  try {
    return convert(input, options);
  } catch (error) {
    if (ExportError.isInstance(error)) throw error;
    // A getter, Proxy or other user code in the input threw.
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      'The traces could not be read: convert plain traces made by exportActionTraces.',
      { cause: error },
    );
  }
}

function convert(
  input: ActionTraceEnvelope | readonly ActionTrace[],
  options: OtlpOptions,
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
    list.push({ trace, startNs, endNs, spanId: '', parentSpanId: '' });
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
    const spanIds = assignSpanIds(list);
    nest(list, rootId, spanIds);
    const conversation = str(runId);
    const provider =
      options.providerName ?? list.find((p) => p.trace.model !== undefined)?.trace.model?.provider;
    const rootAttributes: OtlpKeyValue[] = [
      { key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } },
      { key: 'gen_ai.provider.name', value: str(provider ?? '_OTHER') },
      { key: 'gen_ai.agent.name', value: str(agentName) },
      { key: 'gen_ai.conversation.id', value: conversation },
      { key: 'session.id', value: conversation },
      { key: 'trace.run.id', value: conversation },
    ];
    const users = new Set(
      list.filter((p) => p.trace.principal.kind === 'user').map((p) => p.trace.principal.id),
    );
    if (users.size === 1) rootAttributes.push({ key: 'user.id', value: str([...users][0]!) });
    if (options.openInference === true) {
      rootAttributes.push({ key: 'openinference.span.kind', value: { stringValue: 'AGENT' } });
    }
    spans.push({
      traceId,
      spanId: rootId,
      name: redactor.redactString(`invoke_agent ${agentName}`),
      kind: SpanKind.INTERNAL,
      startTimeUnixNano: first.toString(),
      endTimeUnixNano: last.toString(),
      attributes: rootAttributes,
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      status: { code: StatusCode.UNSET },
      links: [],
      droppedLinksCount: 0,
      flags: SPAN_FLAGS,
    });
    const run: RunContext = {
      traceId,
      rootId,
      conversation,
      redactor,
      content: options.includeContent === true,
      openInference: options.openInference === true,
      spanIds,
    };
    for (const p of list) {
      try {
        spans.push(actionSpan(p, run));
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

/**
 * Gives each action of a run its span id, derived from its action id; a second trace with the
 * same action id (an export joined with itself, a caller's reused id) gets one derived from its
 * occurrence too, so no two spans of a trace share an id. Returns the first span id per action id.
 */
function assignSpanIds(list: Prepared[]): Map<string, string> {
  const byAction = new Map<string, string>();
  // Span ids given to repeats: rare, so the common path keeps one map insert per span.
  const repeats = new Set<string>();
  for (const p of list) {
    const first = byAction.get(p.trace.id);
    if (first === undefined) {
      p.spanId = otlpSpanId(p.trace.id);
      byAction.set(p.trace.id, p.spanId);
      continue;
    }
    let spanId = first;
    for (let n = 1; spanId === first || repeats.has(spanId); n++)
      spanId = digestHex('otlp-span', p.trace.id, n).slice(0, 16);
    repeats.add(spanId);
    p.spanId = spanId;
  }
  return byAction;
}

/**
 * Chooses each span's parent, as tracing backends nest them: a tool call under the model call
 * that asked for it (its `parentId`); any other action under the innermost phase of the run
 * whose time holds it (of the same iteration, when both say); phases and the rest under the
 * run's root.
 */
function nest(list: Prepared[], rootId: string, spanIds: ReadonlyMap<string, string>): void {
  const phases = list.filter((p) => p.trace.kind === 'phase');
  for (const p of list) {
    const parent = p.trace.parentId !== undefined ? spanIds.get(p.trace.parentId) : undefined;
    if (parent !== undefined && parent !== p.spanId) {
      p.parentSpanId = parent;
      continue;
    }
    p.parentSpanId = p.trace.kind === 'phase' ? rootId : (phaseOf(p, phases)?.spanId ?? rootId);
  }
}

function phaseOf(p: Prepared, phases: readonly Prepared[]): Prepared | undefined {
  let best: Prepared | undefined;
  for (const phase of phases) {
    if (phase.startNs > p.startNs || phase.endNs < p.endNs) continue;
    const a = phase.trace.iteration;
    const b = p.trace.iteration;
    if (a !== undefined && b !== undefined && a !== b) continue;
    if (best === undefined || phase.endNs - phase.startNs < best.endNs - best.startNs) best = phase;
  }
  return best;
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

function json(value: unknown, redactor: Redactor): string {
  // Re-redact the value as a tree (key rules apply), then its text (detectors apply).
  return redactor.redactString(JSON.stringify(redactor.redactValue(value ?? null)));
}

/** Attribute keys whose values the conventions type as doubles, even when integral. */
const DOUBLES: ReadonlySet<string> = new Set([
  'gen_ai.request.temperature',
  'gen_ai.request.top_p',
]);

function actionSpan(prepared: Prepared, run: RunContext): OtlpSpan {
  const { trace } = prepared;
  const { redactor, content } = run;
  const attributes: OtlpKeyValue[] = [];
  const add = (key: string, value: string | number | boolean | undefined): void => {
    if (value === undefined) return;
    attributes.push({
      key,
      value:
        typeof value === 'number' && DOUBLES.has(key)
          ? { doubleValue: value }
          : anyValue(value, redactor),
    });
  };
  let name: string;
  let kind: number = SpanKind.INTERNAL;
  if (trace.kind === 'model_call') {
    const model = trace.model;
    kind = SpanKind.CLIENT;
    name = model?.requestModel !== undefined ? `chat ${model.requestModel}` : 'chat';
    add('gen_ai.operation.name', 'chat');
    add('gen_ai.provider.name', model?.provider);
    attributes.push({ key: 'gen_ai.conversation.id', value: run.conversation });
    // The session too, for tools that group model calls by it (Phoenix, Langfuse).
    attributes.push({ key: 'session.id', value: run.conversation });
    add('gen_ai.request.model', model?.requestModel);
    add('gen_ai.request.max_tokens', model?.maxTokens);
    add('gen_ai.request.temperature', model?.temperature);
    add('gen_ai.request.top_p', model?.topP);
    // "If and only if the request is streaming."
    if (model?.streamed === true) add('gen_ai.request.stream', true);
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
    add('gen_ai.usage.input_tokens', conventionInputTokens(trace));
    add('gen_ai.usage.output_tokens', model?.outputTokens);
    add('gen_ai.usage.cache_read.input_tokens', model?.cacheReadInputTokens);
    add('gen_ai.usage.cache_creation.input_tokens', model?.cacheCreationInputTokens);
    add('server.address', model?.serverAddress);
    add('server.port', model?.serverPort);
    if (content && model !== undefined) {
      const request = inputOf(model.provider, trace.arguments);
      if (request.systemInstructions !== undefined)
        add('gen_ai.system_instructions', json(request.systemInstructions, redactor));
      if (request.inputMessages !== undefined)
        add('gen_ai.input.messages', json(request.inputMessages, redactor));
      if (request.toolDefinitions !== undefined)
        add('gen_ai.tool.definitions', json(request.toolDefinitions, redactor));
      const output =
        trace.result?.value !== undefined
          ? outputOf(model.provider, trace.result.value)
          : undefined;
      if (output !== undefined) add('gen_ai.output.messages', json(output, redactor));
    }
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
  } else if (trace.kind === 'phase') {
    name = `phase ${trace.name}`;
    // Not a GenAI operation the conventions name: a custom value, as they allow.
    add('gen_ai.operation.name', 'phase');
    add('trace.phase.name', trace.name);
  } else if (trace.kind === 'decision') {
    name = `decision ${trace.name}`;
    add('gen_ai.operation.name', 'decision');
    add('trace.decision.name', trace.name);
    const decision = trace.decision;
    add('trace.decision.approved', decision?.approved);
    add('trace.decision.verdict', decision?.verdict);
    add('trace.decision.reason', decision?.reason);
    add('trace.decision.rationale', decision?.rationale);
    if (decision?.votes !== undefined) {
      add('trace.decision.votes', decision.votes.length);
      add('trace.decision.votes_passed', decision.votes.filter((v) => v.passed).length);
    }
    if (content && trace.arguments !== undefined)
      add('trace.decision.subject', json(trace.arguments, redactor));
  } else {
    name = `${trace.kind} ${trace.name}`;
  }
  const sampling = trace.sampling;
  if (sampling !== undefined) {
    add('trace.sampling.purpose', sampling.purpose);
    add('trace.sampling.status', sampling.status);
    add('trace.sampling.backend', sampling.backend);
    add('trace.sampling.model', sampling.modelId);
    add('trace.sampling.output_bytes', sampling.outputBytes);
    add('trace.sampling.input_tokens', sampling.inputTokens);
    add('trace.sampling.output_tokens', sampling.outputTokens);
    add('trace.sampling.context', sampling.context);
  }
  if (trace.error !== undefined) add('error.type', trace.error.type);
  add('trace.action.id', trace.id);
  add('trace.action.kind', trace.kind);
  add('trace.principal.kind', trace.principal.kind);
  add('trace.principal.id', trace.principal.id);
  if (trace.principal.kind === 'user') add('user.id', trace.principal.id);
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
  if (run.openInference) {
    for (const [key, value] of openInferenceAttributes(trace, content, (v) => json(v, redactor)))
      add(key, value);
  }

  const events = spanEvents(prepared, run);
  const links: OtlpLink[] = [];
  // A tool nested under its asking call needs no link; one whose parent is elsewhere keeps it.
  const parentSpan = trace.parentId !== undefined ? run.spanIds.get(trace.parentId) : undefined;
  if (parentSpan !== undefined && parentSpan !== prepared.parentSpanId) {
    links.push({
      attributes: [],
      spanId: parentSpan,
      traceId: run.traceId,
      droppedAttributesCount: 0,
      flags: SPAN_FLAGS,
    });
  }
  return {
    traceId: run.traceId,
    spanId: prepared.spanId,
    parentSpanId: prepared.parentSpanId,
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

/**
 * `gen_ai.usage.input_tokens` as the conventions count it: Anthropic reports cached input apart
 * from `input_tokens`, and the convention adds it back; OpenAI's count already includes it.
 */
function conventionInputTokens(trace: ActionTrace): number | undefined {
  const model = trace.model;
  if (model?.inputTokens === undefined) return undefined;
  if (model.provider !== 'anthropic') return model.inputTokens;
  return (
    model.inputTokens + (model.cacheReadInputTokens ?? 0) + (model.cacheCreationInputTokens ?? 0)
  );
}

function spanEvents(prepared: Prepared, run: RunContext): OtlpEvent[] {
  const { trace } = prepared;
  // Most spans have no events: skip building the helpers below for them.
  if (
    trace.error === undefined &&
    trace.correction === undefined &&
    trace.decision === undefined &&
    trace.annotations === undefined
  )
    return [];
  const { redactor } = run;
  const text = (key: string, value: string): OtlpKeyValue => ({
    key,
    value: { stringValue: redactor.redactString(value) },
  });
  const events: OtlpEvent[] = [];
  if (trace.error !== undefined) {
    events.push({
      attributes: [
        text('exception.type', trace.error.type),
        text('exception.message', trace.error.message),
      ],
      name: 'exception',
      timeUnixNano: prepared.endNs.toString(),
      droppedAttributesCount: 0,
    });
  }
  if (trace.decision?.votes !== undefined) {
    for (const vote of trace.decision.votes) {
      events.push({
        attributes: [
          text('trace.decision.voter', vote.voter),
          { key: 'trace.decision.passed', value: { boolValue: vote.passed } },
          text('trace.decision.reason', vote.reason),
        ],
        name: 'trace.decision.vote',
        timeUnixNano: prepared.startNs.toString(),
        droppedAttributesCount: 0,
      });
    }
  }
  if (run.content && trace.annotations !== undefined) {
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
    const time = (
      Number.isFinite(at) ? otlpTime(nanos(at), trace.id, 'correction') : prepared.endNs
    ).toString();
    const by = text('trace.correction.by', trace.correction.by);
    events.push({
      attributes: [by, text('trace.correction.note', trace.correction.note)],
      name: 'trace.correction',
      timeUnixNano: time,
      droppedAttributesCount: 0,
    });
    // The same correction as the evaluation result feedback tools ingest: a human reviewer's
    // label on this action, with the note as the explanation.
    events.push({
      attributes: [
        { key: 'gen_ai.evaluation.name', value: { stringValue: 'human_correction' } },
        { key: 'gen_ai.evaluation.score.label', value: { stringValue: 'corrected' } },
        text('gen_ai.evaluation.explanation', trace.correction.note),
        by,
      ],
      name: 'gen_ai.evaluation.result',
      timeUnixNano: time,
      droppedAttributesCount: 0,
    });
  }
  return events;
}
