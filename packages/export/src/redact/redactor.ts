/**
 * Redaction for exports: `@trace/redact`'s engine, the one every `@trace` package uses, with its
 * errors turned into this package's own (`EXPORT_INVALID_OPTIONS`, `EXPORT_INVALID_TRACE`), as
 * every error an export throws is an `ExportError`.
 */
import { compileRedactor, RedactError, type RedactionOptions, type Redactor } from '@trace/redact';
import { ExportError, ExportErrorCode } from '../errors.js';

export {
  isPlaceholder,
  type RedactionOptions,
  type RedactionScope,
  type Redactor,
} from '@trace/redact';

function asExportError(error: unknown, code: ExportErrorCode): unknown {
  if (!RedactError.isInstance(error)) return error;
  return new ExportError(code, error.message, { cause: error, details: error.details });
}

/** Marks a redactor that already reports its errors as `ExportError`s. */
const WRAPPED = Symbol('@trace/export.redactor');

/**
 * `redactor` reporting what it cannot redact (a cycle, a value of the wrong type) as
 * `EXPORT_INVALID_TRACE`. A redactor built by `@trace/redact` directly can be passed to an export:
 * it is wrapped here.
 */
export function exportRedactor(redactor: Redactor): Redactor {
  if ((redactor as { [WRAPPED]?: true })[WRAPPED] === true) return redactor;
  const wrapped: Record<string | symbol, unknown> = { [WRAPPED]: true };
  for (const [name, method] of Object.entries(redactor)) {
    wrapped[name] =
      typeof method !== 'function'
        ? method
        : (...args: unknown[]) => {
            try {
              return method.apply(redactor, args);
            } catch (error) {
              throw asExportError(error, ExportErrorCode.INVALID_TRACE);
            }
          };
  }
  return wrapped as unknown as Redactor;
}

/**
 * Builds a {@link Redactor} (`@trace/redact`'s, compiled once: reuse it across exports). Throws
 * `EXPORT_INVALID_OPTIONS` for a malformed option.
 */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  try {
    return exportRedactor(compileRedactor(options));
  } catch (error) {
    throw asExportError(error, ExportErrorCode.INVALID_OPTIONS);
  }
}
