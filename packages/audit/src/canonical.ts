import { canonicalJson as canonicalText, type JsonOptions, SpecError } from '@trace/spec';
import { AuditError } from './errors.js';

/**
 * What an audit payload may hold: members whose value is `undefined` are left out, as
 * `JSON.stringify` leaves them out, and strings may hold lone surrogates (canonical JSON writes
 * them as escapes).
 */
const PAYLOAD_JSON: JsonOptions = { undefinedMembers: 'omit', loneSurrogates: 'allow' };

/**
 * The canonical JSON encoding that entries are hashed and stored in (`canonicalJson` of
 * @trace/spec: RFC 8785 for the values allowed here, so a verifier in any language can rebuild the
 * bytes). Anything JSON cannot carry faithfully (NaN, Infinity, bigint, functions, symbols,
 * `undefined` in an array, class instances such as Date, cycles) is refused with
 * AUDIT_INVALID_EVENT rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  try {
    return canonicalText(value, PAYLOAD_JSON);
  } catch (error) {
    if (!SpecError.isInstance(error)) throw error;
    throw new AuditError(
      'AUDIT_INVALID_EVENT',
      `An audit payload is not plain JSON: ${error.message} Pass plain JSON (objects, arrays, strings, finite numbers, booleans, null).`,
      { cause: error, details: { field: error.details.path } },
    );
  }
}
