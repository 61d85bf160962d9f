import { gzipSync } from 'node:zlib';
import packageJson from '../../package.json' with { type: 'json' };
import type { ActionTrace, ActionTraceEnvelope } from '../contract.js';
import { ExportError, ExportErrorCode } from '../errors.js';
import { createRedactor, exportRedactor, type Redactor } from '../redact/redactor.js';
import { type OtlpOptions, toOtlp } from './convert.js';
import { decodePartialSuccess, encodeTraceRequest } from './protobuf.js';
import type { OtlpSpan, OtlpTraceRequest } from './types.js';

/** How the request body is encoded: OTLP/HTTP JSON or binary protobuf. */
export type OtlpProtocol = 'http/json' | 'http/protobuf';

/** Where and how to send OTLP/HTTP. */
export interface OtlpExporterOptions extends OtlpOptions {
  /**
   * The collector's base URL (`http://127.0.0.1:4318`) or its full `/v1/traces` URL. User info
   * (`https://user:pass@host`) is sent as HTTP Basic authorization, never echoed in errors.
   */
  readonly endpoint: string;
  /**
   * Extra request headers, e.g. an API key for the backend. Never echoed in errors. A
   * `content-type`, `content-encoding` or `content-length` here is replaced by the exporter's.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** `http/json` (default) or `http/protobuf`, which most collectors take by default. */
  readonly protocol?: OtlpProtocol;
  /** `gzip` compresses each request body. Default `none`. */
  readonly compression?: 'gzip' | 'none';
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

const CONTENT_TYPES: Readonly<Record<OtlpProtocol, string>> = {
  'http/json': 'application/json',
  'http/protobuf': 'application/x-protobuf',
};

/** Identifies the exporter, its language and version, as the OTLP specification asks. */
export const OTLP_USER_AGENT = `trace-export-js/${packageJson.version}`;

/** Headers the exporter sets itself: a caller's copy would make a second, malformed value. */
const OWN_HEADERS = new Set(['content-type', 'content-encoding', 'content-length']);

/** A failure of the attempt, not an answer: worth another attempt after a backoff. */
function isConnectionFailure(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  // A timeout may have reached the collector: sending again could store the spans twice.
  return name !== 'TimeoutError' && name !== 'AbortError';
}

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

/**
 * The `/v1/traces` URL of an endpoint, without its user info (fetch refuses URLs that carry
 * credentials), the user info as a Basic authorization, and the URL as it may be shown.
 */
function tracesUrl(
  endpoint: string,
  redactor: Redactor,
): { url: string; shown: string; authorization?: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    // No cause: a URL parser's error quotes the input, credentials and all.
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      `The OTLP endpoint ${JSON.stringify(redactor.redactUrl(endpoint))} is not a URL: pass e.g. "http://127.0.0.1:4318".`,
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
  let authorization: string | undefined;
  if (url.username !== '' || url.password !== '') {
    const user = percentDecoded(url.username);
    const password = percentDecoded(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const plain = url.toString();
  // Shown in messages and details with key-like query values (`?api_key=…`) redacted.
  return {
    url: plain,
    shown: redactor.redactUrl(plain),
    ...(authorization ? { authorization } : {}),
  };
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The request headers: the caller's, then the exporter's own, each name once. */
function requestHeaders(
  options: OtlpExporterOptions,
  contentType: string,
  gzip: boolean,
  authorization: string | undefined,
): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (OWN_HEADERS.has(name.toLowerCase())) continue;
    try {
      headers.set(name, value);
    } catch {
      // The value is not quoted: it is most likely a credential.
      throw new ExportError(
        ExportErrorCode.INVALID_OPTIONS,
        'A header in `headers` has a name or value HTTP cannot carry (a line break, a non-ASCII character): fix it.',
      );
    }
  }
  headers.set('content-type', contentType);
  if (gzip) headers.set('content-encoding', 'gzip');
  if (!headers.has('user-agent')) headers.set('user-agent', OTLP_USER_AGENT);
  if (authorization !== undefined && !headers.has('authorization'))
    headers.set('authorization', authorization);
  return headers;
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

function readPartialSuccess(
  answer: Uint8Array,
  contentType: string | null,
): { rejected: number; message: string } | undefined {
  if (answer.length === 0) return undefined;
  if (contentType?.toLowerCase().includes('protobuf') === true) {
    const partial = decodePartialSuccess(answer);
    if (partial === undefined || (partial.rejectedSpans === 0 && partial.errorMessage === ''))
      return undefined;
    return { rejected: partial.rejectedSpans, message: partial.errorMessage };
  }
  const text = new TextDecoder().decode(answer);
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

function isRedactorOption(value: unknown): value is Redactor {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redactor).redactString === 'function'
  );
}

/**
 * A fetch failure as a cause that holds no URL: undici's errors can quote the request URL, and
 * with it a key in the query string. Its name and code are kept for the caller.
 */
function unsentCause(error: unknown): Error {
  const e = error as { name?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const out = new Error(code !== undefined ? `${name} (${code})` : name);
  out.name = name;
  return out;
}

/**
 * An exporter that POSTs OTLP/HTTP (JSON or protobuf, optionally gzip-compressed) to a
 * collector's `/v1/traces`: in batches, retrying 429, 502, 503 and 504 and failed connections
 * with exponential backoff (honouring `Retry-After`), and reporting `partialSuccess` to the
 * caller. Other statuses and timeouts are not retried; a 200 whose body does not arrive within
 * the timeout is a failure, not a success.
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  if (typeof options !== 'object' || options === null || typeof options.endpoint !== 'string') {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      'createOtlpExporter needs { endpoint: "http://host:4318" }.',
    );
  }
  const redactor = isRedactorOption(options.redaction)
    ? exportRedactor(options.redaction)
    : createRedactor(options.redaction ?? {});
  const { url, shown, authorization } = tracesUrl(options.endpoint, redactor);
  const protocol = options.protocol ?? 'http/json';
  if (!(protocol in CONTENT_TYPES)) {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      '`protocol` must be "http/json" or "http/protobuf".',
    );
  }
  const compression = options.compression ?? 'none';
  if (compression !== 'gzip' && compression !== 'none') {
    throw new ExportError(
      ExportErrorCode.INVALID_OPTIONS,
      '`compression` must be "gzip" or "none".',
    );
  }
  const maxBatch = positiveInteger(options.maxBatchSpans, 512, 'maxBatchSpans');
  const maxAttempts = positiveInteger(options.maxAttempts, 5, 'maxAttempts');
  const initialBackoff = nonNegative(options.initialBackoffMs, 500, 'initialBackoffMs');
  const maxBackoff = nonNegative(options.maxBackoffMs, 10_000, 'maxBackoffMs');
  const timeoutMs = positiveInteger(options.timeoutMs, 10_000, 'timeoutMs');
  const doFetch = options.fetch ?? globalThis.fetch;
  const headers = requestHeaders(
    options,
    CONTENT_TYPES[protocol],
    compression === 'gzip',
    authorization,
  );
  const encode = (batch: OtlpTraceRequest): Uint8Array => {
    const raw =
      protocol === 'http/protobuf'
        ? encodeTraceRequest(batch)
        : new TextEncoder().encode(JSON.stringify(batch));
    return compression === 'gzip' ? gzipSync(raw) : raw;
  };
  const backoffFor = (attempt: number): number => {
    const backoff = Math.min(maxBackoff, initialBackoff * 2 ** (attempt - 1));
    // Jitter keeps many exporters from retrying in lockstep.
    return backoff / 2 + Math.random() * (backoff / 2);
  };

  const sendBatch = async (
    batch: OtlpTraceRequest,
    index: number,
  ): Promise<{ attempts: number; partial?: OtlpPartialSuccess }> => {
    const body = encode(batch);
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      // One deadline for the answer and its body: a collector that sends its head and then
      // stalls is as unreachable as one that never answers.
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        response = await doFetch(url, { method: 'POST', headers, body, signal });
      } catch (cause) {
        if (isConnectionFailure(cause) && attempt < maxAttempts) {
          await sleep(backoffFor(attempt));
          continue;
        }
        const timedOut = !isConnectionFailure(cause);
        throw new ExportError(
          ExportErrorCode.OTLP_UNREACHABLE,
          timedOut
            ? `The OTLP endpoint ${shown} did not answer within ${timeoutMs} ms (batch ${index}): check the collector, or raise timeoutMs.`
            : `The OTLP endpoint ${shown} could not be reached after ${attempt} attempts (batch ${index}): check that the collector is running and the URL is right.`,
          { details: { url: shown, batch: index, attempts: attempt }, cause: unsentCause(cause) },
        );
      }
      let answer: Uint8Array;
      try {
        answer = new Uint8Array(await response.arrayBuffer());
      } catch (cause) {
        throw new ExportError(
          ExportErrorCode.OTLP_UNREACHABLE,
          `The OTLP endpoint ${shown} answered ${response.status} but its body did not arrive within ${timeoutMs} ms (batch ${index}): the spans may or may not have been stored; check the collector.`,
          {
            details: { url: shown, status: response.status, batch: index, attempts: attempt },
            cause: unsentCause(cause),
          },
        );
      }
      const text = (): string => new TextDecoder().decode(answer);
      if (response.ok) {
        const partial = readPartialSuccess(answer, response.headers.get('content-type'));
        return partial === undefined
          ? { attempts: attempt }
          : {
              attempts: attempt,
              partial: {
                batch: index,
                rejectedSpans: partial.rejected,
                errorMessage: redactor.redactString(partial.message),
              },
            };
      }
      if (!RETRYABLE.has(response.status) || attempt >= maxAttempts) {
        const retried = RETRYABLE.has(response.status);
        throw new ExportError(
          ExportErrorCode.OTLP_REJECTED,
          retried
            ? `The OTLP endpoint kept answering ${response.status} after ${attempt} attempts (batch ${index}): the collector is overloaded or down; retry later.`
            : `The OTLP endpoint rejected batch ${index} with ${response.status}: ${redactor.redactString(text().slice(0, 200)) || response.statusText}. Fix the request or the endpoint; this status is not retried.`,
          { details: { url: shown, status: response.status, batch: index, attempts: attempt } },
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
              url: shown,
              status: response.status,
              batch: index,
              attempts: attempt,
              retryAfterMs: retryAfter,
            },
          },
        );
      }
      // Retry-After is the collector's own schedule and is followed as given.
      await sleep(retryAfter ?? backoffFor(attempt));
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
