import { TraceError } from './trace-error.js';

/** Every stable error code @trace/spec throws. */
export const SpecErrorCode = {
  /** A value has no exact JSON form; `details.path` names the part and `details.problem` says why. */
  INVALID_JSON: 'SPEC_INVALID_JSON',
} as const;
export type SpecErrorCode = (typeof SpecErrorCode)[keyof typeof SpecErrorCode];

/**
 * The error the shared helpers throw. Packages that call them on their users' behalf turn it into
 * their own error (`TAPE_INVALID_EVENT`, `AUDIT_INVALID_EVENT`), keeping it as `cause`.
 */
export class SpecError extends TraceError<SpecErrorCode> {
  static override readonly brand = Symbol.for('@trace/spec.SpecError');
}
