import { createHmac } from 'node:crypto';
import { type AuditEntry, AUDIT_ENTRY_VERSION as ENTRY_VERSION, sha256Hex } from '@trace/spec';
import { canonicalJson } from './canonical.js';

/** Computes the hash of canonical bytes: HMAC-SHA-256 when a key is given, else SHA-256. */
export function digest(body: string | Uint8Array, key: Buffer | undefined): string {
  return key ? createHmac('sha256', key).update(body).digest('hex') : sha256Hex(body);
}

/**
 * The canonical body of an entry (everything but `hash`), built from an already canonical
 * payload. Keys in code-unit order: payload, prev, seq, session, ts, type, v.
 */
export function entryBody(
  payloadJson: string,
  prev: string,
  seq: number,
  session: string | undefined,
  ts: string,
  typeJson: string,
): string {
  const sessionPart = session === undefined ? '' : `"session":${JSON.stringify(session)},`;
  return `{"payload":${payloadJson},"prev":"${prev}","seq":${seq},${sessionPart}"ts":"${ts}","type":${typeJson},"v":${ENTRY_VERSION}}`;
}

/** The stored line for a body and its hash: the canonical JSON of the whole entry. */
export function entryLine(body: string, hash: string): string {
  return `{"hash":"${hash}",${body.slice(1)}`;
}

/** Same as the regular expression, without its cost on the hot path of verify. */
function isHex64(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
const ENTRY_KEYS = new Set(['v', 'seq', 'ts', 'type', 'session', 'payload', 'prev', 'hash']);

/** Result of checking the shape of a parsed line. */
export type ShapeCheck =
  | { ok: true; entry: AuditEntry }
  | { ok: false; kind: 'malformed_line' | 'unsupported_version'; message: string };

/** Checks that a parsed JSON value has exactly the documented entry fields with the right types. */
export function checkShape(value: unknown): ShapeCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, kind: 'malformed_line', message: 'the line is not a JSON object' };
  }
  const e = value as Record<string, unknown>;
  if (typeof e.v === 'number' && e.v > ENTRY_VERSION) {
    return {
      ok: false,
      kind: 'unsupported_version',
      message: `entry format v${e.v} is newer than this reader (v${ENTRY_VERSION}); upgrade @trace/audit`,
    };
  }
  for (const key in e) {
    if (!ENTRY_KEYS.has(key)) return bad(`unknown field "${key}"`);
  }
  if (e.v !== ENTRY_VERSION) return bad('field "v" must be 1');
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1)
    return bad('"seq" must be a positive integer');
  if (typeof e.ts !== 'string' || !isIsoUtc(e.ts)) return bad('"ts" must be an ISO 8601 UTC time');
  if (typeof e.type !== 'string' || e.type.length === 0)
    return bad('"type" must be a non-empty string');
  if (e.session !== undefined && typeof e.session !== 'string')
    return bad('"session" must be a string');
  if (typeof e.payload !== 'object' || e.payload === null || Array.isArray(e.payload)) {
    return bad('"payload" must be an object');
  }
  if (!isHex64(e.prev)) return bad('"prev" must be 64 lower-case hex digits');
  if (!isHex64(e.hash)) return bad('"hash" must be 64 lower-case hex digits');
  return { ok: true, entry: e as unknown as AuditEntry };
}

function bad(message: string): ShapeCheck {
  return { ok: false, kind: 'malformed_line', message };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for the exact form `Date.prototype.toISOString` writes. */
export function isIsoUtc(text: string): boolean {
  return ISO_UTC.test(text) && !Number.isNaN(Date.parse(text));
}

/** The canonical body of a parsed entry, for verification: the entry without `hash`. */
export function canonicalBody(entry: AuditEntry): string {
  const { hash: _hash, ...rest } = entry;
  return canonicalJson(rest);
}

/** Parses one stored line into an entry, or returns why it is not one. */
export function parseLine(text: string): ShapeCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'malformed_line', message: 'the line is not valid JSON' };
  }
  return checkShape(value);
}
