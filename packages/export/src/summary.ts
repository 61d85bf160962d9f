import type { ResultSummary } from './contract.js';

/** Facts a builder knows about a result beyond its value. */
export interface ResultFlags {
  readonly contentBlocks?: number;
  readonly toolCalls?: number;
  readonly streamed?: boolean;
  readonly incomplete?: boolean;
  readonly isError?: boolean;
}

function jsonBytes(value: unknown): number {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? 0 : Buffer.byteLength(text);
  } catch {
    // A cyclic or exotic result has no JSON size; the summary still says what type it was.
    return 0;
  }
}

/**
 * Describes a raw result by counts and flags only. Nothing of the payload's content is copied,
 * so a summary needs no redaction.
 */
export function summariseResult(raw: unknown, flags: ResultFlags = {}): ResultSummary {
  let summary: { -readonly [K in keyof ResultSummary]: ResultSummary[K] };
  if (raw === null || raw === undefined) summary = { type: 'null', bytes: 0 };
  else if (ArrayBuffer.isView(raw) || raw instanceof ArrayBuffer) {
    summary = { type: 'bytes', bytes: raw.byteLength };
  } else if (typeof raw === 'string') {
    summary = { type: 'string', bytes: Buffer.byteLength(raw), items: raw.length };
  } else if (typeof raw === 'number' || typeof raw === 'bigint') {
    summary = { type: 'number', bytes: String(raw).length };
  } else if (typeof raw === 'boolean') {
    summary = { type: 'boolean', bytes: raw ? 4 : 5 };
  } else if (Array.isArray(raw)) {
    summary = { type: 'array', bytes: jsonBytes(raw), items: raw.length };
  } else if (typeof raw === 'object') {
    summary = { type: 'object', bytes: jsonBytes(raw), items: Object.keys(raw).length };
  } else {
    summary = { type: 'null', bytes: 0 };
  }
  // `+ 0` writes -0 as the 0 a JSON round trip reads back.
  if (flags.contentBlocks !== undefined) summary.contentBlocks = flags.contentBlocks + 0;
  if (flags.toolCalls !== undefined) summary.toolCalls = flags.toolCalls + 0;
  if (flags.streamed === true) summary.streamed = true;
  if (flags.incomplete === true) summary.incomplete = true;
  if (flags.isError === true) summary.isError = true;
  return summary;
}
