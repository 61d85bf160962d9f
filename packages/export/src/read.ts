import { ACTION_TRACE_SCHEMA, ACTION_TRACE_VERSION, type ActionTraceEnvelope } from './contract.js';
import { ExportError, ExportErrorCode } from './errors.js';
import { checkExportedAt, checkTrace } from './validate.js';

/**
 * Checks that `value` (an envelope, or its JSON text) is an action-trace export this build can
 * read — its header and every trace, in the contract's shape — and returns it. Older versions
 * would be upgraded here; version 1 is the first. A newer version is refused with
 * `EXPORT_VERSION_UNSUPPORTED` rather than half-read; anything else that is not an export with
 * `EXPORT_NOT_AN_EXPORT` (`details.index` and `details.field` name the first bad trace field).
 */
export function readActionTraceEnvelope(value: unknown): ActionTraceEnvelope {
  try {
    return readEnvelope(value);
  } catch (error) {
    if (ExportError.isInstance(error)) throw error;
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      'The envelope could not be read: pass the plain envelope exportActionTraces returned, or its JSON text.',
      { cause: error },
    );
  }
}

function readEnvelope(value: unknown): ActionTraceEnvelope {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (cause) {
      throw new ExportError(
        ExportErrorCode.NOT_AN_EXPORT,
        'The text is not JSON: pass the envelope exportActionTraces returned, or its JSON text.',
        { cause },
      );
    }
  }
  checkHeader(parsed, 'envelope');
  const traces = (parsed as { traces?: unknown }).traces;
  if (!Array.isArray(traces)) {
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      'The envelope has no `traces` array: pass the envelope exportActionTraces returned.',
    );
  }
  const exportedAt = (parsed as { exportedAt?: unknown }).exportedAt;
  if (exportedAt !== undefined) checkExportedAt(exportedAt);
  traces.forEach(checkTrace);
  return parsed as ActionTraceEnvelope;
}

/** Checks the `schema` and `version` of an envelope or JSONL header. */
export function checkHeader(value: unknown, what: string): void {
  const header = value as { schema?: unknown; version?: unknown } | null;
  if (typeof header !== 'object' || header === null || header.schema !== ACTION_TRACE_SCHEMA) {
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      `The ${what} is not an action-trace export (its "schema" is not "${ACTION_TRACE_SCHEMA}").`,
    );
  }
  const version = header.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      `The ${what} has no valid contract "version"; it was not written by @trace/export.`,
    );
  }
  if (version > ACTION_TRACE_VERSION) {
    throw new ExportError(
      ExportErrorCode.VERSION_UNSUPPORTED,
      `The ${what} uses contract version ${version}, newer than this build reads (${ACTION_TRACE_VERSION}): upgrade @trace/export.`,
      { details: { version, supported: ACTION_TRACE_VERSION } },
    );
  }
}
