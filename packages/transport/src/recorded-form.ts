/**
 * The form in which a request is recorded, and in which a live request is compared with the
 * recording: everything goes through one redactor from @trace/redact, compiled once per
 * transport — credential headers and the SDKs' volatile headers dropped, the values of the kept
 * headers, the URL (query and user info), request bodies and whole and streamed response bodies
 * scanned by its detectors, the chosen body fields removed — then through the user's hooks.
 * Record and replay both go through here, so what is hashed at replay is what was stored.
 */
import { compileRedactor, RedactError, type RedactionOptions, type Redactor } from '@trace/redact';
import type { Chunk, RecordedError, RecordedRequest } from '@trace/spec';
import { TransportError } from './errors.js';
import type { RequestSnapshot } from './request.js';
import { SDK_VOLATILE_HEADERS } from './secrets.js';

export interface RedactOptions {
  /**
   * The redaction engine's own options (`@trace/redact`): `pii` and `cards` to remove e-mail
   * addresses, phone numbers and card numbers too, `keys` for more credential key names,
   * `hashKey` for placeholders that carry a keyed hash, `dropHeaders` and `bodyFields` (added to
   * the two options below). Credentials are removed whatever is given here.
   */
  readonly redaction?: RedactionOptions;
  /** More headers to drop from recordings, by name or pattern. Credentials are always dropped. */
  readonly dropHeaders?: readonly (string | RegExp)[];
  /** Keep the SDKs' volatile headers (`x-stainless-*`, `user-agent`, idempotency keys). Default false. */
  readonly keepVolatileHeaders?: boolean;
  /**
   * JSON body fields whose values are replaced by `[REDACTED:path]` in requests and in whole (not
   * streamed) responses. A bare name (`api_key`) matches that key at any depth, so a server that
   * echoes it back is covered too; a dotted path (`auth.token`, `items.*.secret`, `list[0]`) is
   * anchored at the root; the syntax is that of `match.ignoreBodyFields`.
   */
  readonly redactBodyFields?: readonly string[];
  /** A last hook over each request body (after the redactor) before it is recorded or matched. */
  readonly redactRequestBody?: (
    body: Uint8Array,
    request: { readonly method: string; readonly url: string },
  ) => Uint8Array;
  /** A last hook over each whole response body (after the redactor) before it is recorded. */
  readonly redactResponseBody?: (
    body: Uint8Array,
    request: { readonly method: string; readonly url: string },
  ) => Uint8Array;
}

type HeaderPairs = Iterable<readonly [string, string]>;

/** The `content-type` of recorded-form headers (lower-case names), if any. */
function contentTypeOf(headers: readonly (readonly [string, string])[]): string | undefined {
  for (const [name, value] of headers) if (name === 'content-type') return value;
  return undefined;
}

/**
 * The redaction options of one transport, compiled once: the form in which every request and
 * response of that transport is recorded, and in which its live requests are matched.
 */
export class Redaction {
  readonly #redactor: Redactor;
  readonly #options: RedactOptions;

  private constructor(redactor: Redactor, options: RedactOptions) {
    this.#redactor = redactor;
    this.#options = options;
  }

  /** Compiles `options`; a malformed one is refused with `TRANSPORT_INVALID_OPTION`. */
  static compile(options: RedactOptions): Redaction {
    const { redaction = {}, keepVolatileHeaders = false } = options;
    if (typeof redaction !== 'object' || redaction === null || Array.isArray(redaction)) {
      throw invalid('`redaction` must be an object of @trace/redact options, e.g. { pii: true }.');
    }
    for (const name of ['dropHeaders', 'redactBodyFields'] as const) {
      if (options[name] !== undefined && !Array.isArray(options[name])) {
        throw invalid(`\`${name}\` must be an array, e.g. ['x-tenant-id'] or ['auth.token'].`);
      }
    }
    try {
      const redactor = compileRedactor({
        ...redaction,
        dropHeaders: [
          ...(keepVolatileHeaders ? [] : SDK_VOLATILE_HEADERS),
          ...(options.dropHeaders ?? []),
          ...(redaction.dropHeaders ?? []),
        ],
        bodyFields: [...(redaction.bodyFields ?? []), ...(options.redactBodyFields ?? [])],
      });
      return new Redaction(redactor, options);
    } catch (error) {
      if (!RedactError.isInstance(error)) throw error;
      // The engine's message names the option and never quotes a secret; it knows
      // `redactBodyFields` as `bodyFields`.
      const alias = error.message.includes('`bodyFields`')
        ? " (`redactBodyFields` are the engine's `bodyFields`.)"
        : '';
      throw invalid(`${error.message}${alias}`, error);
    }
  }

  /** True when a hook may return a buffer its author still holds (and could change). */
  get hasBodyHooks(): boolean {
    return (
      this.#options.redactRequestBody !== undefined ||
      this.#options.redactResponseBody !== undefined
    );
  }

  /**
   * True when a request's recorded form depends only on its bytes through the redactor: then a
   * live request byte-identical to a recorded one is that request, without redacting it first
   * (the redactor is idempotent). A request hook is the user's code, and may not be.
   */
  get redactorOnly(): boolean {
    return this.#options.redactRequestBody === undefined;
  }

  /** The headers of a request or response as recorded. */
  headers(headers: HeaderPairs): [string, string][] {
    return this.#redactor.redactHeaders(headers);
  }

  /** A URL as recorded. */
  url(url: string): string {
    return this.#redactor.redactUrl(url);
  }

  /** A request as recorded. */
  request(snapshot: RequestSnapshot): RecordedRequest {
    return this.matchForm(snapshot, this.headers(snapshot.headers));
  }

  /**
   * The recorded form as matching needs it: the URL and body redacted as they would be recorded,
   * with `headers` (the recorded form of the headers, or none when matching does not look at them).
   */
  matchForm(
    snapshot: RequestSnapshot,
    headers: readonly (readonly [string, string])[],
  ): RecordedRequest {
    const url = this.url(snapshot.url);
    return { method: snapshot.method, url, headers, body: this.#requestBody(snapshot, url) };
  }

  /**
   * A recorded request put through the redactor again, as matching compares it: unchanged when
   * this redaction recorded it (the redactor is idempotent, the hooks are not run again), but a
   * request recorded before a secret was detected, or under an older placeholder, comes out as
   * a live one does. Headers are redacted only when matching looks at them.
   */
  recorded(request: RecordedRequest, withHeaders: boolean): RecordedRequest {
    const { method, headers, body } = request;
    return {
      method,
      url: this.url(request.url),
      headers: withHeaders ? this.headers(headers) : headers,
      body: body === null ? null : this.#redactor.redactBody(body, contentTypeOf(headers)),
    };
  }

  /** A whole response body as recorded: the redactor, then the user's hook. */
  responseBody(body: Uint8Array, contentType: string | null, request: RecordedRequest): Uint8Array {
    const redacted = this.#redactor.redactBody(body, contentType);
    const hook = this.#options.redactResponseBody;
    return hook === undefined
      ? redacted
      : hook(redacted, { method: request.method, url: request.url });
  }

  /** A streamed response body as recorded: the same chunks and offsets, secrets removed across them. */
  stream(chunks: readonly Chunk[], contentType: string | null): readonly Chunk[] {
    return this.#redactor.redactStream(chunks, contentType);
  }

  /** Short text as recorded (a status text). */
  text(text: string): string {
    return this.#redactor.redactString(text);
  }

  /**
   * A failure as recorded: its message scanned, and the URL it may quote (fetch refuses a URL
   * with user info by quoting it whole) replaced by the URL as recorded.
   */
  error(recorded: RecordedError, url: string, recordedUrl: string): RecordedError {
    let message = recorded.message;
    if (url !== recordedUrl && message.includes(url))
      message = message.split(url).join(recordedUrl);
    message = this.#redactor.redactString(message);
    return message === recorded.message ? recorded : { ...recorded, message };
  }

  #requestBody(snapshot: RequestSnapshot, url: string): Uint8Array | null {
    if (snapshot.body === null) return null;
    // The content type as sent, before any header was dropped, says how the body is read.
    const body = this.#redactor.redactBody(snapshot.body, contentTypeOf(snapshot.headers));
    const hook = this.#options.redactRequestBody;
    return hook === undefined ? body : hook(body, { method: snapshot.method, url });
  }
}

function invalid(message: string, cause?: unknown): TransportError {
  return new TransportError(
    'TRANSPORT_INVALID_OPTION',
    `The transport's redaction options are invalid: ${message}`,
    cause === undefined ? {} : { cause },
  );
}
