import type { ActionTrace, ActionTraceEnvelope } from '../contract.js';
import { ExportError, ExportErrorCode } from '../errors.js';
import { type OtlpOptions, toOtlp } from './convert.js';
import type { OtlpSpan, OtlpTraceRequest } from './types.js';

/** Where and how to send OTLP/HTTP JSON. */
export interface OtlpExporterOptions extends OtlpOptions {
  /** The collector's base URL (`http://127.0.0.1:4318`) or its full `/v1/traces` URL. */
  readonly endpoint: string;
  /** Extra request headers, e.g. an API key for the backend. Never echoed in errors. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Spans per request. Default 512. */
  readonly maxBatchSpans?: number;
  /** Attempts per batch, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter, capped by `maxBackoffMs`. Default 500. */
  readonly initialBackoffMs?: number;
  /**
   * The longest wait before a retry. Default 10 000. A collector's `Retry-After` is waited out
   * exactly; one asking for longer than this fails the export at once (never retried early).
   */
  readonly maxBackoffMs?: number;
  /** Per-request timeout. Default 10 000. */
  readonly timeoutMs?: number;
  /** The fetch to use; default the global one. */
  readonly fetch?: typeof fetch;
}

/** A collector's report that it dropped some spans of one batch. */
export interface OtlpPartialSuccess {
  readonly batch: number;
  readonly rejectedSpans: number;
  readonly errorMessage: string;
}

/** What an export sent. */
export interface OtlpExportResult {
  readonly batches: number;
  readonly spans: number;
  /** Requests made, retries included. */
  readonly attempts: number;
  /** Spans the collector said it rejected, summed over `partialSuccess`. */
  readonly rejectedSpans: number;
  /** Each batch the collector accepted only in part. */
  readonly partialSuccess: readonly OtlpPartialSuccess[];
}

export interface OtlpExporter {
  /** Converts and sends; resolves when every batch was accepted (perhaps in part). */
  export(input: ActionTraceEnvelope | readonly ActionTrace[]): Promise<OtlpExportResult>;
  /** Sends an already converted request. */
  send(request: OtlpTraceRequest): Promise<OtlpExportResult>;
}

/** The statuses OTLP/HTTP says are worth retrying; everything else fails at once. */
const RETRYABLE = new Set([429, 502, 503, 504]);

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      `\`${name}\` must be a positive integer.`,
    );
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      `\`${name}\` must be a non-negative number.`,
    );
  }
  return value;
}

function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      `The OTLP endpoint ${JSON.stringify(endpoint)} is not a URL: pass e.g. "http://127.0.0.1:4318".`,
      { cause },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      'The OTLP endpoint must be an http: or https: URL.',
    );
  }
  if (!url.pathname.endsWith('/v1/traces')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  }
  return url.toString();
}

/** Splits a request into requests of at most `max` spans, keeping resource and scope. */
export function splitOtlpRequest(request: OtlpTraceRequest, max: number): OtlpTraceRequest[] {
  const notARequest = (): never => {
    throw new ExportError(
      ExportErrorCode.NOT_AN_EXPORT,
      'The request is not an OTLP/JSON trace request ({ resourceSpans: [{ scopeSpans: [{ spans }] }] }): pass what toOtlp returns.',
    );
  };
  if (!Array.isArray(request?.resourceSpans)) notARequest();
  const batches: OtlpTraceRequest[] = [];
  for (const resourceSpans of request.resourceSpans) {
    if (!Array.isArray(resourceSpans?.scopeSpans)) notARequest();
    for (const scopeSpans of resourceSpans.scopeSpans) {
      if (!Array.isArray(scopeSpans?.spans)) notARequest();
      for (let i = 0; i < scopeSpans.spans.length; i += max) {
        const spans: OtlpSpan[] = scopeSpans.spans.slice(i, i + max);
        batches.push({
          resourceSpans: [
            { resource: resourceSpans.resource, scopeSpans: [{ scope: scopeSpans.scope, spans }] },
          ],
        });
      }
    }
  }
  return batches;
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function readPartialSuccess(text: string): { rejected: number; message: string } | undefined {
  if (text.length === 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const partial = (
    body as { partialSuccess?: { rejectedSpans?: unknown; errorMessage?: unknown } } | null
  )?.partialSuccess;
  if (typeof partial !== 'object' || partial === null) return undefined;
  // int64 arrives as a number or a decimal string, depending on the collector.
  const rejected = Number(partial.rejectedSpans ?? 0);
  const message = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
  if ((!Number.isFinite(rejected) || rejected === 0) && message === '') return undefined;
  return { rejected: Number.isFinite(rejected) ? rejected : 0, message };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An exporter that POSTs OTLP/JSON to a collector's `/v1/traces`: in batches, retrying only on
 * 429, 502, 503 and 504 with exponential backoff (honouring `Retry-After`), and reporting
 * `partialSuccess` to the caller. Other statuses and network failures are not retried.
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  if (typeof options !== 'object' || options === null || typeof options.endpoint !== 'string') {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      'createOtlpExporter needs { endpoint: "http://host:4318" }.',
    );
  }
  const url = tracesUrl(options.endpoint);
  const maxBatch = positiveInteger(options.maxBatchSpans, 512, 'maxBatchSpans');
  const maxAttempts = positiveInteger(options.maxAttempts, 5, 'maxAttempts');
  const initialBackoff = nonNegative(options.initialBackoffMs, 500, 'initialBackoffMs');
  const maxBackoff = nonNegative(options.maxBackoffMs, 10_000, 'maxBackoffMs');
  const timeoutMs = positiveInteger(options.timeoutMs, 10_000, 'timeoutMs');
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers = { ...(options.headers ?? {}), 'content-type': 'application/json' };

  const sendBatch = async (
    batch: OtlpTraceRequest,
    index: number,
  ): Promise<{ attempts: number; partial?: OtlpPartialSuccess }> => {
    const body = JSON.stringify(batch);
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (cause) {
        throw new ExportError(
          ExportErrorCode.OTLP_UNREACHABLE,
          `The OTLP endpoint ${url} could not be reached (batch ${index}): check that the collector is running and the URL is right.`,
          { cause, details: { url, batch: index, attempts: attempt } },
        );
      }
      const text = await response.text().catch(() => '');
      if (response.ok) {
        const partial = readPartialSuccess(text);
        return partial === undefined
          ? { attempts: attempt }
          : {
              attempts: attempt,
              partial: {
                batch: index,
                rejectedSpans: partial.rejected,
                errorMessage: partial.message,
              },
            };
      }
      if (!RETRYABLE.has(response.status) || attempt >= maxAttempts) {
        const retried = RETRYABLE.has(response.status);
        throw new ExportError(
          ExportErrorCode.OTLP_REJECTED,
          retried
            ? `The OTLP endpoint kept answering ${response.status} after ${attempt} attempts (batch ${index}): the collector is overloaded or down; retry later.`
            : `The OTLP endpoint rejected batch ${index} with ${response.status}: ${text.slice(0, 200) || response.statusText}. Fix the request or the endpoint; this status is not retried.`,
          { details: { url, status: response.status, batch: index, attempts: attempt } },
        );
      }
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > maxBackoff) {
        // Retrying before the collector asked would only be refused again; waiting longer than
        // maxBackoffMs would stall the caller. Say so and let the caller retry later.
        throw new ExportError(
          ExportErrorCode.OTLP_REJECTED,
          `The OTLP endpoint answered ${response.status} and asked to wait ${Math.ceil(retryAfter / 1000)} s before retrying (batch ${index}), longer than maxBackoffMs (${maxBackoff} ms): export again later, or raise maxBackoffMs.`,
          {
            details: {
              url,
              status: response.status,
              batch: index,
              attempts: attempt,
              retryAfterMs: retryAfter,
            },
          },
        );
      }
      const backoff = Math.min(maxBackoff, initialBackoff * 2 ** (attempt - 1));
      // Jitter keeps many exporters from retrying in lockstep; Retry-After is the collector's
      // own schedule and is followed as given.
      await sleep(retryAfter ?? backoff / 2 + Math.random() * (backoff / 2));
    }
  };

  const send = async (request: OtlpTraceRequest): Promise<OtlpExportResult> => {
    const batches = splitOtlpRequest(request, maxBatch);
    let attempts = 0;
    let spans = 0;
    let rejectedSpans = 0;
    const partialSuccess: OtlpPartialSuccess[] = [];
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      const outcome = await sendBatch(batch, i);
      attempts += outcome.attempts;
      spans += batch.resourceSpans[0]!.scopeSpans[0]!.spans.length;
      if (outcome.partial !== undefined) {
        partialSuccess.push(outcome.partial);
        rejectedSpans += outcome.partial.rejectedSpans;
      }
    }
    return { batches: batches.length, spans, attempts, rejectedSpans, partialSuccess };
  };

  return {
    send,
    // async, so a conversion error rejects the promise like every other failure, not a throw.
    export: async (input) => send(toOtlp(input, options)),
  };
}
