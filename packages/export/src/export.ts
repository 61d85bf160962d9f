import type { JsonValue } from '@trace/spec';
import {
  ACTION_TRACE_SCHEMA,
  ACTION_TRACE_VERSION,
  type ActionError,
  type ActionKind,
  type ActionResult,
  type ActionTrace,
  type ActionTraceEnvelope,
  type Correction,
  type DecisionInfo,
  ERROR_MESSAGE_MAX_LENGTH,
  type Evidence,
  type ModelInfo,
  type Principal,
  type ResultSummary,
  type SamplingInfo,
  type Sensitivity,
} from './contract.js';
import type { ActionTraceDraft, CorrectionInput } from './draft.js';
import { ExportError, ExportErrorCode } from './errors.js';
import { deriveActionId } from './ids.js';
import {
  createRedactor,
  exportRedactor,
  isPlaceholder,
  type RedactionOptions,
  type RedactionScope,
  type Redactor,
} from './redact/redactor.js';
import { summariseResult } from './summary.js';
import { MAX_MS, TIME_HINT, toIsoTime } from './time.js';

/** How to export. Redaction always runs; these options add to it and shape the output. */
export interface ExportOptions {
  /** Redaction settings, or a redactor built once with `createRedactor` and reused. */
  readonly redaction?: RedactionOptions | Redactor;
  /**
   * Keep the (redacted) raw result in `result.value`: `true` for every action, or the names of
   * the capabilities allowed. Never applies to `secrets` or `memory` actions. Off by default.
   */
  readonly allowRawResults?: boolean | readonly string[];
  /** Human corrections to attach, by action id. They win over a draft's own `correction`. */
  readonly corrections?:
    | Readonly<Record<string, CorrectionInput>>
    | ReadonlyMap<string, CorrectionInput>;
  /** What each capability declared, by name: its sensitivity tag. */
  readonly capabilities?: Readonly<Record<string, { readonly sensitivity: Sensitivity }>>;
  /** Capabilities whose payloads are agent memory, stripped whole. Default `['memory']`. */
  readonly memoryCapabilities?: readonly string[];
  /** The principal for drafts that carry none. Default `{ kind: 'agent', id: 'agent' }`. */
  readonly principal?: Principal;
  /** Stamp the envelope with this time. Left out by default so exports are reproducible. */
  readonly exportedAt?: string | number | Date;
}

/** Turns drafts into contract traces with one configured redactor. Build once, reuse. */
export interface TraceExporter {
  /**
   * One draft to one redacted, validated trace. Throws `EXPORT_INVALID_TRACE`. `index` is the
   * draft's position in the export (in error messages, and in the id of a draft without evidence);
   * by default the count of drafts this exporter has taken.
   */
  trace(draft: ActionTraceDraft, index?: number): ActionTrace;
  /** The redactor in use (the OTLP converter and JSONL writer reuse it). */
  readonly redactor: Redactor;
}

const KINDS: ReadonlySet<string> = new Set<ActionKind>([
  'model_call',
  'tool_call',
  'script_call',
  'phase',
  'decision',
  'sampling',
]);
const SENSITIVITIES: ReadonlySet<string> = new Set<Sensitivity>([
  'none',
  'pii',
  'pci',
  'secrets',
  'memory',
]);
const PRINCIPAL_KINDS: ReadonlySet<string> = new Set(['agent', 'user', 'service']);
const DEFAULT_PRINCIPAL: Principal = { kind: 'agent', id: 'agent' };

function isRedactor(value: unknown): value is Redactor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redactor).redactValue === 'function' &&
    typeof (value as Redactor).redactString === 'function'
  );
}

/** Cuts `message` to the documented length without splitting a surrogate pair. */
export function cutMessage(message: string): { message: string; truncated: boolean } {
  if (message.length <= ERROR_MESSAGE_MAX_LENGTH) return { message, truncated: false };
  let end = ERROR_MESSAGE_MAX_LENGTH - 1;
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { message: `${message.slice(0, end)}…`, truncated: true };
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** JSON has no -0: write the 0 that `JSON.parse` reads back, so a round trip changes nothing. */
function noNegativeZero(value: number): number {
  return value === 0 ? 0 : value;
}

/** Builds a {@link TraceExporter}; throws `EXPORT_INVALID_OPTIONS` for a malformed option. */
export function createTraceExporter(options: ExportOptions = {}): TraceExporter {
  const redactor = isRedactor(options.redaction)
    ? exportRedactor(options.redaction)
    : createRedactor(options.redaction ?? {});
  const allow = options.allowRawResults;
  if (allow !== undefined && typeof allow !== 'boolean' && !Array.isArray(allow)) {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      '`allowRawResults` must be true, false, or a list of capability names.',
    );
  }
  const allowed = Array.isArray(allow) ? new Set<string>(allow) : undefined;
  const memory = new Set(options.memoryCapabilities ?? ['memory']);
  const corrections = options.corrections;
  const correctionFor = (id: string): CorrectionInput | undefined => {
    if (corrections === undefined) return undefined;
    if (corrections instanceof Map) return corrections.get(id);
    const record = corrections as Readonly<Record<string, CorrectionInput>>;
    return Object.hasOwn(record, id) ? record[id] : undefined;
  };
  const defaultPrincipal = options.principal ?? DEFAULT_PRINCIPAL;
  // Ids, names and evidence are matched on by consumers: only credentials are removed from them.
  const plain = (value: string): string => redactor.redactString(value);

  let taken = 0;
  const trace = (draft: ActionTraceDraft, index = taken): ActionTrace => {
    taken = index + 1;
    try {
      return build(draft, index);
    } catch (error) {
      if (ExportError.isInstance(error)) throw error;
      // User code runs while a draft is read: a getter, a `toJSON`, a Proxy trap. Whatever it
      // throws is reported as this draft's fault, never as a raw error from deep inside.
      throw new ExportError(
        ExportErrorCode.INVALID_TRACE,
        `Trace draft ${index} could not be read (${redactor.redactString(errorName(error))} while reading it): pass plain data, without getters, proxies or toJSON methods that throw.`,
        { cause: error, details: { index } },
      );
    }
  };

  const build = (draft: ActionTraceDraft, index: number): ActionTrace => {
    const fail = (field: string, message: string): never => {
      throw new ExportError(
        ExportErrorCode.INVALID_TRACE,
        `Trace draft ${index}: ${field} ${message}`,
        { details: { index, field } },
      );
    };
    if (typeof draft !== 'object' || draft === null) fail('(draft)', 'must be an object.');
    if (typeof draft.runId !== 'string' || draft.runId.length === 0) {
      fail('runId', 'must be a non-empty string naming the agent run.');
    }
    if (!KINDS.has(draft.kind)) {
      fail('kind', 'must be one of model_call, tool_call, script_call, phase, decision, sampling.');
    }
    if (typeof draft.name !== 'string' || draft.name.length === 0) {
      fail('name', 'must be a non-empty string: the tool, script, model or phase name.');
    }
    const invokedAt = toIsoTime(draft.invokedAt);
    if (invokedAt === undefined) {
      fail('invokedAt', `must be ${TIME_HINT}, in years 0000–9999.`);
    }
    if (draft.status !== 'succeeded' && draft.status !== 'failed') {
      fail('status', 'must be "succeeded" or "failed" (denied actions are not exported).');
    }
    if (draft.status === 'succeeded' && draft.error !== undefined) {
      fail('error', 'is set on a succeeded action: set status to "failed" or drop the error.');
    }
    if (
      draft.durationMs !== undefined &&
      !(typeof draft.durationMs === 'number' && Number.isFinite(draft.durationMs))
    ) {
      fail('durationMs', 'must be a finite number of milliseconds.');
    }
    if (
      draft.durationMs !== undefined &&
      draft.durationMs > 0 &&
      Date.parse(invokedAt!) + draft.durationMs > MAX_MS
    ) {
      fail('durationMs', 'puts the end of the action after year 9999: check its unit.');
    }
    const sensitivity =
      draft.sensitivity ??
      options.capabilities?.[draft.name]?.sensitivity ??
      (memory.has(draft.name) ? 'memory' : 'none');
    if (!SENSITIVITIES.has(sensitivity)) {
      fail('sensitivity', 'must be one of none, pii, pci, secrets, memory.');
    }
    const principal = draft.principal ?? defaultPrincipal;
    if (
      typeof principal !== 'object' ||
      principal === null ||
      !PRINCIPAL_KINDS.has(principal.kind) ||
      typeof principal.id !== 'string' ||
      principal.id.length === 0
    ) {
      fail('principal', 'must be { kind: "agent" | "user" | "service", id: non-empty string }.');
    }
    if (draft.iteration !== undefined && !isNonNegativeInteger(draft.iteration)) {
      fail('iteration', 'must be a non-negative integer.');
    }
    for (const field of ['id', 'callId', 'parentId'] as const) {
      const value = draft[field];
      if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
        fail(field, 'must be a non-empty string when given.');
      }
    }
    const evidence =
      draft.evidence === undefined ? undefined : checkEvidence(draft.evidence, fail, plain);
    const flags = draft.resultFlags;
    if (flags !== undefined) {
      // The summary copies these counts as they are: a bad one would break the schema.
      if (typeof flags !== 'object' || flags === null) fail('resultFlags', 'must be an object.');
      for (const key of ['contentBlocks', 'toolCalls'] as const) {
        if (flags[key] !== undefined && !isNonNegativeInteger(flags[key])) {
          fail(`resultFlags.${key}`, 'must be a non-negative integer.');
        }
      }
    }
    const scope: RedactionScope = { pii: sensitivity === 'pii', pci: sensitivity === 'pci' };
    const text = (value: string): string => redactor.redactString(value, scope);
    const stripped = sensitivity === 'secrets' || sensitivity === 'memory';
    // Stripping an already stripped value keeps its placeholder, so re-exports are stable.
    const strip = (value: unknown): string =>
      typeof value === 'string' && isPlaceholder(value)
        ? value
        : redactor.placeholder(sensitivity, value);

    const id =
      draft.id ??
      (evidence !== undefined
        ? deriveActionId(draft.kind, JSON.stringify(evidence))
        : // Two actions of one run with the same kind, name and millisecond still differ.
          deriveActionId(draft.runId, draft.kind, draft.name, invokedAt!, index));

    const out: Record<string, unknown> = {
      id: plain(id),
      runId: plain(draft.runId),
      kind: draft.kind,
      name: plain(draft.name),
      principal: { kind: principal.kind, id: redactor.redactString(principal.id, scope) },
      invokedAt,
    };
    if (draft.durationMs !== undefined) out.durationMs = Math.max(0, draft.durationMs);
    out.status = draft.status;
    if (draft.status === 'failed') out.error = buildError(draft.error, redactor, scope);
    if (draft.arguments !== undefined) {
      out.arguments = stripped
        ? strip(draft.arguments)
        : redactor.redactValue(draft.arguments, ['arguments'], scope);
    }
    if (draft.result !== undefined) {
      // A trace exported before is exported again as it was: its summary kept, not nested.
      const exported = draft.resultFlags === undefined ? asExportedResult(draft.result) : undefined;
      const result: { summary: ActionResult['summary']; value?: JsonValue } = {
        summary: exported?.summary ?? summariseResult(draft.result, draft.resultFlags),
      };
      const rawAllowed = allow === true || (allowed?.has(draft.name) ?? false);
      const raw = exported !== undefined ? exported.value : draft.result;
      if (rawAllowed && !stripped && (exported === undefined || exported.hasValue)) {
        result.value = redactor.redactValue(raw, ['result', 'value'], scope);
      }
      out.result = result;
    }
    out.sensitivity = sensitivity;
    out.evidence = evidence ?? {};
    if (draft.model !== undefined) out.model = buildModel(draft.model, plain, fail);
    if (draft.callId !== undefined) out.callId = plain(draft.callId);
    if (draft.parentId !== undefined) out.parentId = plain(draft.parentId);
    if (draft.iteration !== undefined) out.iteration = noNegativeZero(draft.iteration);
    if (draft.annotations !== undefined) {
      if (!Array.isArray(draft.annotations)) fail('annotations', 'must be an array.');
      out.annotations = stripped
        ? draft.annotations.map(strip)
        : draft.annotations.map((a, i) =>
            redactor.redactValue(a, ['annotations', String(i)], scope),
          );
    }
    if (draft.metadata !== undefined) {
      if (typeof draft.metadata !== 'object' || draft.metadata === null) {
        fail('metadata', 'must be an object.');
      }
      out.metadata = flatten(
        redactor.redactValue(draft.metadata, ['metadata'], scope),
        redactor,
        scope,
      );
    }
    const correction = correctionFor(id) ?? draft.correction;
    if (correction !== undefined)
      out.correction = buildCorrection(correction, redactor, scope, fail);
    if (draft.decision !== undefined) out.decision = buildDecision(draft.decision, text, fail);
    if (draft.sampling !== undefined) out.sampling = buildSampling(draft.sampling, text, fail);
    return out as unknown as ActionTrace;
  };

  return { trace, redactor };
}

type Fail = (field: string, message: string) => never;

function checkEvidence(evidence: Evidence, fail: Fail, plain: (s: string) => string): Evidence {
  if (typeof evidence !== 'object' || evidence === null) fail('evidence', 'must be an object.');
  const out: { -readonly [K in keyof Evidence]: Evidence[K] } = {};
  const tape = evidence.tape;
  if (tape !== undefined) {
    if (typeof tape !== 'object' || tape === null) fail('evidence.tape', 'must be an object.');
    if (typeof tape.fingerprint !== 'string' || !/^[0-9a-f]+$/i.test(tape.fingerprint)) {
      fail('evidence.tape.fingerprint', "must be the tape's hex fingerprint.");
    }
    if (!isNonNegativeInteger(tape.exchangeIndex)) {
      fail('evidence.tape.exchangeIndex', 'must be a non-negative integer.');
    }
    if (tape.toolCallIndex !== undefined && !isNonNegativeInteger(tape.toolCallIndex)) {
      fail('evidence.tape.toolCallIndex', 'must be a non-negative integer.');
    }
    out.tape = {
      fingerprint: tape.fingerprint.toLowerCase(),
      exchangeIndex: noNegativeZero(tape.exchangeIndex),
      ...(tape.toolCallIndex !== undefined
        ? { toolCallIndex: noNegativeZero(tape.toolCallIndex) }
        : {}),
    };
  }
  const audit = evidence.audit;
  if (audit !== undefined) {
    if (typeof audit !== 'object' || audit === null) fail('evidence.audit', 'must be an object.');
    if (!isNonNegativeInteger(audit.seq))
      fail('evidence.audit.seq', 'must be a non-negative integer.');
    if (audit.session !== undefined && typeof audit.session !== 'string') {
      fail('evidence.audit.session', 'must be a string.');
    }
    if (
      audit.hash !== undefined &&
      (typeof audit.hash !== 'string' || !/^[0-9a-f]+$/i.test(audit.hash))
    ) {
      fail('evidence.audit.hash', 'must be a hex string.');
    }
    out.audit = {
      seq: noNegativeZero(audit.seq),
      ...(audit.session !== undefined ? { session: plain(audit.session) } : {}),
      ...(audit.hash !== undefined ? { hash: audit.hash.toLowerCase() } : {}),
    };
  }
  return out;
}

function buildError(
  error: ActionTraceDraft['error'],
  redactor: Redactor,
  scope: RedactionScope,
): ActionError {
  let type = 'Error';
  let message = '';
  let alreadyCut = false;
  if (typeof error === 'string') message = error;
  else if (error instanceof Error) {
    type = error.name || 'Error';
    message = error.message;
  } else if (typeof error === 'object' && error !== null) {
    if (typeof error.type === 'string' && error.type.length > 0) type = error.type;
    if (typeof error.message === 'string') message = error.message;
    // A message cut by an earlier export stays marked as cut.
    if ((error as { truncated?: unknown }).truncated === true) alreadyCut = true;
  }
  const pathKind = redactor.pathKind(['error', 'message']);
  const redacted =
    pathKind !== undefined
      ? redactor.placeholder(pathKind, message)
      : redactor.redactString(message, scope);
  // Redact first, then cut: a cut could otherwise leave a fragment no detector recognises.
  const cut = cutMessage(redacted);
  const out: { type: string; message: string; truncated?: true } = {
    type: cutMessage(redactor.redactString(type, scope)).message,
    message: cut.message,
  };
  if (cut.truncated || alreadyCut) out.truncated = true;
  return out;
}

function buildModel(model: ModelInfo, plain: (s: string) => string, fail: Fail): ModelInfo {
  if (typeof model !== 'object' || model === null) fail('model', 'must be an object.');
  if (model.provider !== 'anthropic' && model.provider !== 'openai') {
    fail('model.provider', 'must be "anthropic" or "openai".');
  }
  const out: Record<string, unknown> = { provider: model.provider };
  for (const key of ['requestModel', 'responseModel', 'responseId'] as const) {
    const value = model[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') fail(`model.${key}`, 'must be a string.');
    out[key] = plain(value);
  }
  if (model.finishReasons !== undefined) {
    if (
      !Array.isArray(model.finishReasons) ||
      model.finishReasons.some((r) => typeof r !== 'string')
    ) {
      fail('model.finishReasons', 'must be an array of strings.');
    }
    out.finishReasons = model.finishReasons.map(plain);
  }
  for (const key of [
    'inputTokens',
    'outputTokens',
    'cacheReadInputTokens',
    'cacheCreationInputTokens',
    'maxTokens',
  ] as const) {
    const value = model[key];
    if (value === undefined) continue;
    if (!isNonNegativeInteger(value)) fail(`model.${key}`, 'must be a non-negative integer.');
    out[key] = noNegativeZero(value);
  }
  for (const key of ['temperature', 'topP'] as const) {
    const value = model[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value))
      fail(`model.${key}`, 'must be a finite number.');
    out[key] = noNegativeZero(value);
  }
  out.streamed = model.streamed === true;
  if (model.serverAddress !== undefined) {
    if (typeof model.serverAddress !== 'string' || model.serverAddress.length === 0)
      fail('model.serverAddress', 'must be a non-empty string.');
    out.serverAddress = plain(model.serverAddress);
  }
  if (model.serverPort !== undefined) {
    const port = model.serverPort;
    if (!isNonNegativeInteger(port) || port < 1 || port > 65535)
      fail('model.serverPort', 'must be an integer from 1 to 65535.');
    out.serverPort = port;
  }
  return out as unknown as ModelInfo;
}

const SUMMARY_TYPES: ReadonlySet<string> = new Set([
  'null',
  'boolean',
  'number',
  'string',
  'array',
  'object',
  'bytes',
]);
const SUMMARY_COUNTS = ['bytes', 'items', 'contentBlocks', 'toolCalls'] as const;
const SUMMARY_FLAGS = ['streamed', 'incomplete', 'isError'] as const;
const SUMMARY_KEYS: ReadonlySet<string> = new Set(['type', ...SUMMARY_COUNTS, ...SUMMARY_FLAGS]);

/**
 * The result of a trace this package exported — `{ summary, value? }` with a summary in the
 * contract's exact shape — or undefined for any other value (a raw result to summarise).
 */
function asExportedResult(
  result: unknown,
): { summary: ResultSummary; value: unknown; hasValue: boolean } | undefined {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return undefined;
  const keys = Object.keys(result);
  if (!keys.includes('summary') || keys.some((k) => k !== 'summary' && k !== 'value'))
    return undefined;
  const summary = (result as { summary?: unknown }).summary as Record<string, unknown> | null;
  if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) return undefined;
  if (Object.keys(summary).some((k) => !SUMMARY_KEYS.has(k))) return undefined;
  if (typeof summary.type !== 'string' || !SUMMARY_TYPES.has(summary.type)) return undefined;
  if (!isNonNegativeInteger(summary.bytes)) return undefined;
  const copy: Record<string, unknown> = { type: summary.type };
  for (const key of SUMMARY_COUNTS) {
    if (summary[key] === undefined) continue;
    if (!isNonNegativeInteger(summary[key])) return undefined;
    copy[key] = noNegativeZero(summary[key]);
  }
  for (const key of SUMMARY_FLAGS) {
    if (summary[key] === undefined) continue;
    if (summary[key] !== true) return undefined;
    copy[key] = true;
  }
  return {
    summary: copy as unknown as ResultSummary,
    value: (result as { value?: unknown }).value,
    hasValue: keys.includes('value'),
  };
}

function optionalText(
  value: unknown,
  field: string,
  text: (s: string) => string,
  fail: Fail,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(field, 'must be a string.');
  return text(value as string);
}

function buildDecision(
  decision: DecisionInfo,
  text: (s: string) => string,
  fail: Fail,
): DecisionInfo {
  if (typeof decision !== 'object' || decision === null) fail('decision', 'must be an object.');
  if (typeof decision.reason !== 'string') fail('decision.reason', 'must be a string.');
  const out: { -readonly [K in keyof DecisionInfo]: DecisionInfo[K] } = {
    reason: text(decision.reason),
  };
  if (decision.approved !== undefined) {
    if (typeof decision.approved !== 'boolean') fail('decision.approved', 'must be a boolean.');
    out.approved = decision.approved;
  }
  const verdict = optionalText(decision.verdict, 'decision.verdict', text, fail);
  if (verdict !== undefined) out.verdict = verdict;
  const rationale = optionalText(decision.rationale, 'decision.rationale', text, fail);
  if (rationale !== undefined) out.rationale = rationale;
  if (decision.votes !== undefined) {
    if (!Array.isArray(decision.votes)) fail('decision.votes', 'must be an array.');
    out.votes = decision.votes.map((vote, i) => {
      if (
        typeof vote !== 'object' ||
        vote === null ||
        typeof vote.voter !== 'string' ||
        typeof vote.passed !== 'boolean' ||
        typeof vote.reason !== 'string'
      ) {
        fail(`decision.votes.${i}`, 'must be { voter: string, passed: boolean, reason: string }.');
      }
      return { voter: text(vote.voter), passed: vote.passed, reason: text(vote.reason) };
    });
  }
  return out;
}

function buildSampling(
  sampling: SamplingInfo,
  text: (s: string) => string,
  fail: Fail,
): SamplingInfo {
  if (typeof sampling !== 'object' || sampling === null) fail('sampling', 'must be an object.');
  for (const key of ['purpose', 'status', 'backend'] as const) {
    if (typeof sampling[key] !== 'string' || sampling[key].length === 0)
      fail(`sampling.${key}`, 'must be a non-empty string.');
  }
  const out: Record<string, unknown> = {
    purpose: text(sampling.purpose),
    status: text(sampling.status),
    backend: text(sampling.backend),
  };
  for (const key of ['modelId', 'validationError', 'context'] as const) {
    const value = optionalText(sampling[key], `sampling.${key}`, text, fail);
    if (value !== undefined) out[key] = value;
  }
  for (const key of ['outputBytes', 'inputTokens', 'outputTokens'] as const) {
    const value = sampling[key];
    if (value === undefined) continue;
    if (!isNonNegativeInteger(value)) fail(`sampling.${key}`, 'must be a non-negative integer.');
    out[key] = noNegativeZero(value);
  }
  return out as unknown as SamplingInfo;
}

/** A thrown value's name, for a message: never its text, which may hold anything. */
function errorName(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.name === 'string') return error.name.slice(0, 64);
  } catch {
    // A Proxy that throws on `instanceof` or `name`.
  }
  return 'a thrown value';
}

function buildCorrection(
  correction: CorrectionInput,
  redactor: Redactor,
  scope: RedactionScope,
  fail: Fail,
): Correction {
  if (typeof correction !== 'object' || correction === null)
    fail('correction', 'must be an object.');
  if (typeof correction.by !== 'string' || correction.by.length === 0) {
    fail('correction.by', 'must name who corrected the action.');
  }
  if (typeof correction.note !== 'string') fail('correction.note', 'must be a string.');
  const at = toIsoTime(correction.at);
  if (at === undefined) fail('correction.at', `must be ${TIME_HINT}.`);
  const field = (name: 'by' | 'note', value: string): string => {
    const kind = redactor.pathKind(['correction', name]);
    return kind !== undefined
      ? redactor.placeholder(kind, value)
      : redactor.redactString(value, scope);
  };
  return { by: field('by', correction.by), note: field('note', correction.note), at: at! };
}

/** Flattens redacted JSON into dotted keys with primitive values; nulls are dropped. */
function flatten(
  value: JsonValue,
  redactor: Redactor,
  scope: RedactionScope,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const visit = (current: JsonValue, prefix: string): void => {
    if (current === null) return;
    if (typeof current !== 'object') {
      if (prefix.length > 0) out[prefix] = current;
      return;
    }
    const entries = Array.isArray(current)
      ? current.map((v, i) => [String(i), v] as const)
      : Object.entries(current as Record<string, JsonValue>);
    for (const [key, item] of entries) visit(item, prefix.length > 0 ? `${prefix}.${key}` : key);
  };
  visit(value, '');
  // Joining keys can form new text (`a` + `.` + `b`); run the detectors over the joined keys too.
  const safe: Record<string, string | number | boolean> = {};
  for (const [key, item] of Object.entries(out)) safe[redactor.redactString(key, scope)] = item;
  return safe;
}

/** Exports drafts as one envelope: validated, redacted, JSON-serialisable. */
export function exportActionTraces(
  drafts: Iterable<ActionTraceDraft>,
  options: ExportOptions = {},
): ActionTraceEnvelope {
  const exporter = createTraceExporter(options);
  if (typeof (drafts as Iterable<unknown> | null)?.[Symbol.iterator] !== 'function') {
    throw new ExportError(
      ExportErrorCode.INVALID_TRACE,
      'exportActionTraces takes an array (or iterable) of trace drafts.',
    );
  }
  const traces: ActionTrace[] = [];
  const seen = new Set<string>();
  let index = 0;
  try {
    for (const draft of drafts) {
      let trace = exporter.trace(draft, index);
      // Span ids derive from action ids: two actions of a run with one id would be one span.
      let key = `${trace.runId}\u0000${trace.id}`;
      if (seen.has(key) && draft.id === undefined) {
        // Two drafts with the same evidence (a log read twice, or without its session): the
        // derived id is made unique by the draft's position, as an id without evidence is.
        trace = exporter.trace({ ...draft, id: deriveActionId(trace.id, index) }, index);
        key = `${trace.runId}\u0000${trace.id}`;
      }
      if (seen.has(key)) {
        throw new ExportError(
          ExportErrorCode.INVALID_TRACE,
          `Trace draft ${index}: id ${JSON.stringify(trace.id)} is used twice in run ${JSON.stringify(trace.runId)}: give each action its own id, or leave ids out to have them derived.`,
          { details: { index, field: 'id' } },
        );
      }
      seen.add(key);
      traces.push(trace);
      index++;
    }
  } catch (error) {
    if (ExportError.isInstance(error)) throw error;
    throw new ExportError(
      ExportErrorCode.INVALID_TRACE,
      `The drafts could not be read after draft ${index} (${exporter.redactor.redactString(errorName(error))}): pass an array of plain drafts.`,
      { cause: error, details: { index } },
    );
  }
  return envelope(traces, options);
}

/** Exports one draft as an envelope holding one trace. */
export function exportActionTrace(
  draft: ActionTraceDraft,
  options: ExportOptions = {},
): ActionTraceEnvelope {
  return exportActionTraces([draft], options);
}

function envelope(traces: ActionTrace[], options: ExportOptions): ActionTraceEnvelope {
  const out: { -readonly [K in keyof ActionTraceEnvelope]: ActionTraceEnvelope[K] } = {
    schema: ACTION_TRACE_SCHEMA,
    version: ACTION_TRACE_VERSION,
    traces,
  };
  if (options.exportedAt !== undefined) {
    const at = toIsoTime(options.exportedAt);
    if (at === undefined) {
      throw new ExportError(
        ExportErrorCode.INVALID_OPTIONS,
        `\`exportedAt\` must be ${TIME_HINT}.`,
      );
    }
    return { schema: out.schema, version: out.version, exportedAt: at, traces };
  }
  return out;
}
