/**
 * Checks that a value is an action trace in the contract's exact shape, as the shipped JSON
 * Schema says (a test holds the two in agreement), so that a reader refuses a damaged or
 * hand-edited export instead of handing it on.
 */
import { ERROR_MESSAGE_MAX_LENGTH } from './contract.js';
import { ExportError, ExportErrorCode } from './errors.js';
import { parseDateTime } from './time.js';

type Record_ = Record<string, unknown>;

const KINDS = new Set(['model_call', 'tool_call', 'script_call', 'phase', 'decision', 'sampling']);
const SENSITIVITIES = new Set(['none', 'pii', 'pci', 'secrets', 'memory']);
const PRINCIPALS = new Set(['agent', 'user', 'service']);
const RESULT_TYPES = new Set(['null', 'boolean', 'number', 'string', 'array', 'object', 'bytes']);
const HEX = /^[0-9a-f]+$/;
/** The contract writes UTC with a `Z`, as `toISOString` does. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

class Invalid extends Error {
  constructor(
    readonly field: string,
    readonly why: string,
  ) {
    super(`${field} ${why}`);
  }
}

const isObject = (value: unknown): value is Record_ =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

function need(ok: boolean, field: string, why: string): void {
  if (!ok) throw new Invalid(field, why);
}

function object(value: unknown, field: string): Record_ {
  need(isObject(value), field, 'must be an object.');
  return value as Record_;
}

function string(record: Record_, key: string, field: string, nonEmpty = false): void {
  const value = record[key];
  need(
    typeof value === 'string' && (!nonEmpty || value.length > 0),
    `${field}.${key}`.replace(/^\./, ''),
    nonEmpty ? 'must be a non-empty string.' : 'must be a string.',
  );
}

function optional(record: Record_, key: string, check: () => void): void {
  if (record[key] !== undefined) check();
}

function time(record: Record_, key: string, field: string): void {
  const value = record[key];
  need(
    typeof value === 'string' && ISO_UTC.test(value) && parseDateTime(value) !== undefined,
    field,
    'must be an ISO 8601 UTC time that exists (`2026-01-01T00:00:00.000Z`).',
  );
}

function count(record: Record_, key: string, field: string): void {
  need(isCount(record[key]), field, 'must be a non-negative integer.');
}

function checkModel(value: unknown): void {
  const model = object(value, 'model');
  need(
    model.provider === 'anthropic' || model.provider === 'openai',
    'model.provider',
    'must be "anthropic" or "openai".',
  );
  need(typeof model.streamed === 'boolean', 'model.streamed', 'must be a boolean.');
  for (const key of ['requestModel', 'responseModel', 'responseId', 'serverAddress'])
    optional(model, key, () => string(model, key, 'model'));
  optional(model, 'finishReasons', () =>
    need(
      Array.isArray(model.finishReasons) && model.finishReasons.every((r) => typeof r === 'string'),
      'model.finishReasons',
      'must be an array of strings.',
    ),
  );
  for (const key of [
    'inputTokens',
    'outputTokens',
    'cacheReadInputTokens',
    'cacheCreationInputTokens',
    'maxTokens',
  ])
    optional(model, key, () => count(model, key, `model.${key}`));
  for (const key of ['temperature', 'topP'])
    optional(model, key, () =>
      need(
        typeof model[key] === 'number' && Number.isFinite(model[key]),
        `model.${key}`,
        'must be a number.',
      ),
    );
  optional(model, 'serverPort', () =>
    need(
      isCount(model.serverPort) &&
        (model.serverPort as number) >= 1 &&
        (model.serverPort as number) <= 65535,
      'model.serverPort',
      'must be an integer from 1 to 65535.',
    ),
  );
}

function checkResult(value: unknown): void {
  const result = object(value, 'result');
  const summary = object(result.summary, 'result.summary');
  need(RESULT_TYPES.has(summary.type as string), 'result.summary.type', 'must be a result type.');
  count(summary, 'bytes', 'result.summary.bytes');
  for (const key of ['items', 'contentBlocks', 'toolCalls'])
    optional(summary, key, () => count(summary, key, `result.summary.${key}`));
  for (const key of ['streamed', 'incomplete', 'isError'])
    optional(summary, key, () =>
      need(summary[key] === true, `result.summary.${key}`, 'must be true when present.'),
    );
}

function checkEvidence(value: unknown): void {
  const evidence = object(value, 'evidence');
  optional(evidence, 'tape', () => {
    const tape = object(evidence.tape, 'evidence.tape');
    need(
      typeof tape.fingerprint === 'string' && HEX.test(tape.fingerprint),
      'evidence.tape.fingerprint',
      'must be lower-case hex.',
    );
    count(tape, 'exchangeIndex', 'evidence.tape.exchangeIndex');
    optional(tape, 'toolCallIndex', () =>
      count(tape, 'toolCallIndex', 'evidence.tape.toolCallIndex'),
    );
  });
  optional(evidence, 'audit', () => {
    const audit = object(evidence.audit, 'evidence.audit');
    count(audit, 'seq', 'evidence.audit.seq');
    optional(audit, 'session', () => string(audit, 'session', 'evidence.audit'));
    optional(audit, 'hash', () =>
      need(
        typeof audit.hash === 'string' && HEX.test(audit.hash),
        'evidence.audit.hash',
        'must be lower-case hex.',
      ),
    );
  });
}

function checkDecision(value: unknown): void {
  const decision = object(value, 'decision');
  string(decision, 'reason', 'decision');
  optional(decision, 'approved', () =>
    need(typeof decision.approved === 'boolean', 'decision.approved', 'must be a boolean.'),
  );
  for (const key of ['verdict', 'rationale'])
    optional(decision, key, () => string(decision, key, 'decision'));
  optional(decision, 'votes', () => {
    need(Array.isArray(decision.votes), 'decision.votes', 'must be an array.');
    (decision.votes as unknown[]).forEach((v, i) => {
      const vote = object(v, `decision.votes.${i}`);
      string(vote, 'voter', `decision.votes.${i}`);
      string(vote, 'reason', `decision.votes.${i}`);
      need(typeof vote.passed === 'boolean', `decision.votes.${i}.passed`, 'must be a boolean.');
    });
  });
}

function checkSampling(value: unknown): void {
  const sampling = object(value, 'sampling');
  for (const key of ['purpose', 'status', 'backend']) string(sampling, key, 'sampling', true);
  for (const key of ['modelId', 'validationError', 'context'])
    optional(sampling, key, () => string(sampling, key, 'sampling'));
  for (const key of ['outputBytes', 'inputTokens', 'outputTokens'])
    optional(sampling, key, () => count(sampling, key, `sampling.${key}`));
}

function checkFields(t: Record_): void {
  for (const key of ['id', 'runId', 'name']) string(t, key, '', true);
  need(KINDS.has(t.kind as string), 'kind', 'must be an action kind.');
  const principal = object(t.principal, 'principal');
  need(
    PRINCIPALS.has(principal.kind as string),
    'principal.kind',
    'must be agent, user or service.',
  );
  string(principal, 'id', 'principal', true);
  time(t, 'invokedAt', 'invokedAt');
  optional(t, 'durationMs', () =>
    need(
      typeof t.durationMs === 'number' && Number.isFinite(t.durationMs) && t.durationMs >= 0,
      'durationMs',
      'must be a non-negative number.',
    ),
  );
  need(
    t.status === 'succeeded' || t.status === 'failed',
    'status',
    'must be "succeeded" or "failed".',
  );
  need(
    (t.error !== undefined) === (t.status === 'failed'),
    'error',
    'must be present exactly when the status is "failed".',
  );
  optional(t, 'error', () => {
    const error = object(t.error, 'error');
    for (const key of ['type', 'message']) {
      string(error, key, 'error');
      need(
        (error[key] as string).length <= ERROR_MESSAGE_MAX_LENGTH,
        `error.${key}`,
        `must be at most ${ERROR_MESSAGE_MAX_LENGTH} characters.`,
      );
    }
    optional(error, 'truncated', () =>
      need(error.truncated === true, 'error.truncated', 'must be true when present.'),
    );
  });
  optional(t, 'result', () => checkResult(t.result));
  need(SENSITIVITIES.has(t.sensitivity as string), 'sensitivity', 'must be a sensitivity.');
  checkEvidence(t.evidence);
  optional(t, 'model', () => checkModel(t.model));
  for (const key of ['callId', 'parentId']) optional(t, key, () => string(t, key, '', true));
  optional(t, 'iteration', () => count(t, 'iteration', 'iteration'));
  optional(t, 'annotations', () =>
    need(Array.isArray(t.annotations), 'annotations', 'must be an array.'),
  );
  optional(t, 'metadata', () => {
    const metadata = object(t.metadata, 'metadata');
    for (const [key, value] of Object.entries(metadata))
      need(
        ['string', 'number', 'boolean'].includes(typeof value),
        `metadata.${key}`,
        'must be a string, number or boolean.',
      );
  });
  optional(t, 'correction', () => {
    const correction = object(t.correction, 'correction');
    string(correction, 'by', 'correction');
    string(correction, 'note', 'correction');
    time(correction, 'at', 'correction.at');
  });
  optional(t, 'decision', () => checkDecision(t.decision));
  optional(t, 'sampling', () => checkSampling(t.sampling));
}

/**
 * Throws `EXPORT_NOT_AN_EXPORT` (with `details.index` and `details.field`) unless `value` is an
 * action trace in the contract's shape. Keys the contract does not know are allowed: a newer
 * build of the same version may have added them.
 */
export function checkTrace(value: unknown, index: number): void {
  try {
    checkFields(object(value, '(trace)'));
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      `Trace ${index} is not an action trace: ${error.field} ${error.why} Read exports @trace/export wrote, unchanged.`,
      { details: { index, field: error.field } },
    );
  }
}

/** Throws `EXPORT_NOT_AN_EXPORT` unless an envelope's `exportedAt` is a contract time. */
export function checkExportedAt(value: unknown): void {
  try {
    time({ exportedAt: value }, 'exportedAt', 'exportedAt');
  } catch (error) {
    if (!(error instanceof Invalid)) throw error;
    throw new ExportError(ExportErrorCode.NOT_AN_EXPORT, `The envelope's exportedAt ${error.why}`, {
      details: { field: 'exportedAt' },
    });
  }
}
