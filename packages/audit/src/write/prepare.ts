import type { Redactor } from '@trace/redact';
import type { AuditPayload } from '@trace/spec';
import { canonicalJson } from '../canonical.js';
import { AuditError } from '../errors.js';
import type { RepairRecord } from '../recover.js';
import {
  decisionPayload,
  phasePayload,
  REPAIR_EVENT_TYPE,
  samplingPayload,
  toolCallPayload,
  verdictPayload,
} from '../vocabulary.js';
import type { EntryClock } from './clock.js';

/** An event checked, redacted, encoded and timed: everything the chain needs but its place. */
export interface PreparedEntry {
  readonly ts: string;
  /** `YYYY-MM-DD` of `ts`: the day file the entry goes into. */
  readonly day: string;
  readonly type: string;
  readonly session: string | undefined;
  /** The canonical JSON of `payload`. */
  readonly payloadJson: string;
  readonly payload: AuditPayload;
}

/** The options that shape preparation. */
export interface PrepareSettings {
  /** The log's compiled redactor; undefined when redaction is off. */
  readonly redactor: Redactor | undefined;
  readonly maxPayloadChars: number;
}

const TYPE_PATTERN = /^[A-Za-z0-9_.:/-]{1,100}$/;

// A Map, not an object literal: a plain lookup by event type would find Object.prototype
// members for types such as `toString` or `constructor` and run them as validators.
const LOOP_VALIDATORS = new Map<string, (payload: never) => AuditPayload>([
  ['phase', phasePayload as never],
  ['verdict', verdictPayload as never],
  ['sampling', samplingPayload as never],
  ['tool_call', toolCallPayload as never],
  ['decision', decisionPayload as never],
]);

/**
 * Validates, redacts and canonicalises an event and gives it its time. Runs when the caller
 * appends, not when the batch is written, so a bad event fails its own caller (AUDIT_INVALID_EVENT)
 * and never the entries queued around it.
 */
export function prepareEntry(
  type: string,
  payload: object,
  session: string | undefined,
  settings: PrepareSettings,
  clock: EntryClock,
): PreparedEntry {
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) {
    throw new AuditError(
      'AUDIT_INVALID_EVENT',
      `The event type must be 1-100 characters of letters, digits and _.:/-; got ${JSON.stringify(String(type).slice(0, 40))}.`,
    );
  }
  if (type.startsWith('audit.'))
    throw new AuditError(
      'AUDIT_INVALID_EVENT',
      `Event types starting with "audit." are reserved for the log itself; rename "${type}".`,
    );
  if (
    session !== undefined &&
    (typeof session !== 'string' || session.length === 0 || session.length > 200)
  ) {
    throw new AuditError('AUDIT_INVALID_EVENT', 'session must be a string of 1-200 characters.');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new AuditError('AUDIT_INVALID_EVENT', 'The payload must be a plain JSON object.');
  }
  const validate = LOOP_VALIDATORS.get(type);
  // Redact before validating: validation cuts texts to 200 characters, and a credential cut
  // short is no longer recognisable, so its first characters would reach the disk.
  // Copy-on-write: a clean payload comes back as it is, and what is not JSON is left for
  // canonicalJson to refuse.
  const scrubbed = (settings.redactor?.redactJson(payload) ?? payload) as object;
  const clean = (validate ? validate(scrubbed as never) : scrubbed) as AuditPayload;
  const payloadJson = canonicalJson(clean);
  if (payloadJson.length > settings.maxPayloadChars) {
    throw new AuditError(
      'AUDIT_INVALID_EVENT',
      `The payload is ${payloadJson.length} characters, over the ${settings.maxPayloadChars} limit: log a summary or a hash of the large data instead.`,
      { details: { chars: payloadJson.length } },
    );
  }
  const ts = clock.next();
  return { ts, day: ts.slice(0, 10), type, session, payloadJson, payload: clean };
}

/** The `audit.repair` entry that records a repair in the chain, at time `ts`. */
export function repairEntry(record: RepairRecord, ts: string): PreparedEntry {
  const payload = { ...record } as unknown as AuditPayload;
  return {
    ts,
    day: ts.slice(0, 10),
    type: REPAIR_EVENT_TYPE,
    session: undefined,
    payloadJson: canonicalJson(payload),
    payload,
  };
}
