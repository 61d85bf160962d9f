/**
 * The one thing a fork changes: checked against the fork point, put in a canonical JSON form
 * (kept in the branch's metadata and bound by its digest), and applied — as the exchange the
 * fork serves at the fork point, or as the draw it serves there.
 */
import { bytesCodec, type DrawRecord, float64Codec, replay } from '@trace/nondet';
import {
  copyJson,
  type ExchangeEvent,
  type JsonObject,
  type JsonValue,
  type RecordedResponse,
} from '@trace/spec';
import { ForkError } from './errors.js';
import { frameAnswer, withBody } from './framing.js';
import type { ForkPoint, Intervention } from './options.js';
import { describePoint, pointOf } from './parent.js';

const encoder = new TextEncoder();

function invalid(message: string, details: Record<string, unknown> = {}): ForkError {
  return new ForkError('FORK_INVALID_INTERVENTION', message, { details });
}

/** Checks the intervention fits the fork point's kind; returns its canonical JSON form. */
export function canonicalIntervention(
  intervention: Intervention,
  at: ForkPoint,
  draw: DrawRecord | undefined,
): JsonObject {
  const { kind: pointKind } = pointOf(at);
  const kind = (intervention as { kind?: unknown } | null)?.kind;
  const where = describePoint(at);
  if (kind === 'resample') return { kind };
  if (kind === 'draw') {
    if (pointKind !== 'draw' || draw === undefined)
      throw invalid(
        `A draw's value can only replace a draw; the fork point is ${where}. Fork at { draw: n }.`,
      );
    return { kind, value: encodeDraw(draw, (intervention as { value: unknown }).value, where) };
  }
  if (pointKind !== 'exchange')
    throw invalid(
      `A response can only replace an exchange's; the fork point is ${where}. Use { kind: 'draw', value } or { kind: 'resample' }.`,
    );
  if (kind === 'bytes') {
    const { bytes, status, contentType } = intervention as Extract<Intervention, { kind: 'bytes' }>;
    if (typeof bytes !== 'string' && !(bytes instanceof Uint8Array))
      throw invalid('bytes must be a Uint8Array or a string.');
    const raw = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
    return withOptional(
      { kind, base64: Buffer.from(raw).toString('base64') },
      { status: checkStatus(status), contentType: checkText(contentType, 'contentType') },
    );
  }
  if (kind === 'json') {
    const { value, status } = intervention as Extract<Intervention, { kind: 'json' }>;
    return withOptional({ kind, value: jsonOf(value, 'value') }, { status: checkStatus(status) });
  }
  if (kind === 'message') {
    const { text, toolCalls } = intervention as Extract<Intervention, { kind: 'message' }>;
    if (text === undefined && toolCalls === undefined)
      throw invalid('A message needs text, toolCalls, or both.');
    const calls =
      toolCalls === undefined
        ? undefined
        : Array.isArray(toolCalls)
          ? toolCalls.map((call, i) => {
              if (typeof call?.name !== 'string' || call.name === '')
                throw invalid(`toolCalls[${i}].name must be a non-empty string.`);
              const input = jsonOf(call.input, `toolCalls[${i}].input`);
              if (typeof input !== 'object' || input === null || Array.isArray(input))
                throw invalid(`toolCalls[${i}].input must be a JSON object.`);
              return withOptional(
                { name: call.name, input },
                { id: checkText(call.id, `toolCalls[${i}].id`) },
              );
            })
          : (() => {
              throw invalid('toolCalls must be an array.');
            })();
    return withOptional({ kind }, { text: checkText(text, 'text'), toolCalls: calls });
  }
  throw invalid(
    `intervene.kind is ${JSON.stringify(kind)}; use 'bytes', 'json', 'message', 'draw' or 'resample'.`,
  );
}

function withOptional(
  base: JsonObject,
  optional: Record<string, JsonValue | undefined>,
): JsonObject {
  const out: Record<string, JsonValue> = { ...base };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return out;
}

function checkStatus(status: unknown): number | undefined {
  if (status === undefined) return undefined;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599)
    throw invalid(`status is ${String(status)}; use an HTTP status from 200 to 599.`);
  return status;
}

function checkText(text: unknown, name: string): string | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== 'string') throw invalid(`${name} must be a string.`);
  return text;
}

function jsonOf(value: unknown, name: string): JsonValue {
  try {
    return copyJson(value);
  } catch (cause) {
    throw new ForkError(
      'FORK_INVALID_INTERVENTION',
      `${name} is not JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** The exchange the fork serves at the fork point: the parent's request, the new response. */
export function replacedExchange(
  parent: ExchangeEvent,
  canonical: JsonObject,
  where: string,
): ExchangeEvent {
  const recorded = parent.response;
  const { kind } = canonical;
  if (recorded === undefined) {
    if (kind === 'message')
      throw invalid(
        `A message cannot be framed at ${where}: the recorded exchange failed (${parent.error?.name}) and holds no response to frame it like. Use { kind: 'bytes' } or { kind: 'json' }.`,
      );
  }
  const base: RecordedResponse = recorded ?? {
    status: 200,
    statusText: 'OK',
    headers: [],
    body: null,
  };
  let response: RecordedResponse;
  if (kind === 'message') {
    response = frameAnswer(
      base,
      { text: canonical.text as string | undefined, toolCalls: canonical.toolCalls as never },
      where,
    );
  } else {
    const bytes =
      kind === 'bytes'
        ? new Uint8Array(Buffer.from(canonical.base64 as string, 'base64'))
        : encoder.encode(JSON.stringify(canonical.value));
    const status = (canonical.status as number | undefined) ?? 200;
    const contentType =
      kind === 'json' ? 'application/json' : (canonical.contentType as string | undefined);
    const streamed = base.body?.kind === 'stream';
    const body = streamed
      ? {
          kind: 'stream' as const,
          chunks: [{ offsetMs: 0, bytes }],
          end: { kind: 'complete' as const },
        }
      : { kind: 'bytes' as const, bytes };
    response = {
      ...withBody(base, body, streamed ? undefined : bytes.length, contentType),
      status,
      statusText: status === base.status ? base.statusText : status === 200 ? 'OK' : '',
    };
  }
  const { error: _error, response: _response, ...rest } = parent;
  return { ...rest, response } as ExchangeEvent;
}

/** The replacement value of a draw, encoded as the log holds values of its kind, and proven to decode. */
function encodeDraw(draw: DrawRecord, value: unknown, where: string): JsonValue {
  const { kind } = draw;
  const bad = (expected: string) =>
    invalid(
      `The draw at ${where} is ${kind}; its replacement must be ${expected}, not ${describe(value)}.`,
      { kind },
    );
  let encoded: JsonValue;
  if (kind.startsWith('source:')) return jsonOf(value, 'the draw value');
  switch (kind) {
    case 'clock.wall':
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        throw bad('an integer of Unix-epoch milliseconds');
      encoded = value;
      break;
    case 'clock.monotonic':
    case 'random.float':
      if (typeof value !== 'number') throw bad('a number');
      encoded = float64Codec.encode(value);
      break;
    case 'uuid.v4':
    case 'uuid.v7':
      if (typeof value !== 'string') throw bad('a UUID string');
      encoded = value.toLowerCase();
      break;
    case 'random.int': {
      if (typeof value !== 'number' && typeof value !== 'bigint') throw bad('an integer');
      const range = draw.value as { min: string; max: string };
      encoded = { min: range.min, max: range.max, value: String(value) };
      break;
    }
    case 'random.bytes':
      if (!(value instanceof Uint8Array)) throw bad('a Uint8Array');
      encoded = bytesCodec.encode(value);
      break;
    default:
      throw invalid(
        `The draw at ${where} is ${kind}, which cannot be replaced; use { kind: 'resample' }.`,
        { kind },
      );
  }
  proveDraw({ ...draw, value: encoded }, where);
  return encoded;
}

/** Serves the replacement once from a log of its own, so a value the kind refuses fails now, not in the agent. */
function proveDraw(record: DrawRecord, where: string): void {
  const source =
    record.stream === undefined ? replay([record]) : replay([record]).stream(record.stream);
  try {
    switch (record.kind) {
      case 'clock.wall':
        source.now();
        break;
      case 'clock.monotonic':
        source.monotonic();
        break;
      case 'random.float':
        source.float();
        break;
      case 'uuid.v4':
        source.uuidV4();
        break;
      case 'uuid.v7':
        source.uuidV7();
        break;
      case 'random.int': {
        const { min, max } = record.value as { min: string; max: string };
        const safe = Number.isSafeInteger(Number(min)) && Number.isSafeInteger(Number(max));
        if (safe) source.int(Number(min), Number(max));
        else source.int(BigInt(min), BigInt(max));
        break;
      }
      case 'random.bytes':
        break;
    }
  } catch (cause) {
    throw new ForkError(
      'FORK_INVALID_INTERVENTION',
      `The replacement for the ${record.kind} draw at ${where} is not a value of that kind: ${(cause as Error).message}`,
      {
        cause,
        details: { kind: record.kind },
      },
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'string'
    ? `a string`
    : typeof value === 'number'
      ? `the number ${value}`
      : `a ${typeof value}`;
}

/** The draw record the fork serves at a replaced draw. */
export function replacedDraw(draw: DrawRecord, canonical: JsonObject): DrawRecord {
  return { ...draw, value: canonical.value as JsonValue };
}
