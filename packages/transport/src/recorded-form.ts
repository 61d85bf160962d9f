/**
 * The form in which a request is recorded, and in which a live request is compared with the
 * recording: credentials dropped, key-like query values and chosen body fields redacted, the
 * SDKs' volatile headers dropped. Record and replay both go through here, so what is hashed at
 * replay is exactly what was stored at record time.
 */
import type { RecordedRequest } from '@trace/spec';
import { parsePath, visitPath } from './json-path.js';
import type { RequestSnapshot } from './request.js';
import {
  type HeaderFilter,
  headerFilter,
  keptHeaders,
  REDACTED,
  redactUrl,
  SDK_VOLATILE_HEADERS,
} from './secrets.js';

export interface RedactOptions {
  /** More headers to drop from recordings, by name or pattern. Credentials are always dropped. */
  readonly dropHeaders?: readonly (string | RegExp)[];
  /** Keep the SDKs' volatile headers (`x-stainless-*`, `user-agent`, idempotency keys). Default false. */
  readonly keepVolatileHeaders?: boolean;
  /**
   * JSON body fields whose values are replaced by `[REDACTED]` in requests and in whole (not
   * streamed) responses. A bare name (`api_key`) matches that key at any depth, so a server that
   * echoes it back is covered too; a dotted path (`auth.token`, `items.*.secret`, `list[0]`) is anchored at the root; the
   * syntax is that of `match.ignoreBodyFields`.
   */
  readonly redactBodyFields?: readonly string[];
  /** A last hook over each request body before it is recorded or matched. */
  readonly redactRequestBody?: (
    body: Uint8Array,
    request: { readonly method: string; readonly url: string },
  ) => Uint8Array;
  /** A last hook over each response body (whole bodies only) before it is recorded. */
  readonly redactResponseBody?: (
    body: Uint8Array,
    request: { readonly method: string; readonly url: string },
  ) => Uint8Array;
}

/**
 * The redaction options compiled once per transport: the form in which every request and
 * response of that transport is recorded, and in which its live requests are matched.
 */
export class Redaction {
  readonly #options: RedactOptions;
  readonly #keep: HeaderFilter;

  constructor(options: RedactOptions) {
    this.#options = options;
    this.#keep = headerFilter([
      ...(options.keepVolatileHeaders ? [] : SDK_VOLATILE_HEADERS),
      ...(options.dropHeaders ?? []),
    ]);
  }

  /** True when a hook may return a buffer its author still holds (and could change). */
  get hasBodyHooks(): boolean {
    return (
      this.#options.redactRequestBody !== undefined ||
      this.#options.redactResponseBody !== undefined
    );
  }

  /** The headers of a request or response as recorded. */
  headers(headers: Iterable<readonly [string, string]>): [string, string][] {
    return keptHeaders(headers, this.#keep);
  }

  /** A request as recorded. */
  request(snapshot: RequestSnapshot): RecordedRequest {
    return {
      method: snapshot.method,
      url: redactUrl(snapshot.url),
      headers: this.headers(snapshot.headers),
      body: this.#requestBody(snapshot),
    };
  }

  /**
   * The recorded form as matching needs it: the body redacted as it would be recorded, the
   * headers only when matching looks at them (`canonicalise` redacts the URL itself).
   */
  matchForm(snapshot: RequestSnapshot, withHeaders: boolean): RecordedRequest {
    return {
      method: snapshot.method,
      url: snapshot.url,
      headers: withHeaders ? this.headers(snapshot.headers) : [],
      body: this.#requestBody(snapshot),
    };
  }

  /** A whole response body as recorded: redacted fields, then the user's hook. */
  responseBody(body: Uint8Array, request: RecordedRequest): Uint8Array {
    const { redactBodyFields = [], redactResponseBody } = this.#options;
    let out = body;
    if (redactBodyFields.length > 0) out = redactJsonFields(out, redactBodyFields);
    if (redactResponseBody)
      out = redactResponseBody(out, { method: request.method, url: request.url });
    return out;
  }

  #requestBody(snapshot: RequestSnapshot): Uint8Array | null {
    const { redactBodyFields = [], redactRequestBody } = this.#options;
    let body = snapshot.body;
    if (body !== null && redactBodyFields.length > 0)
      body = redactJsonFields(body, redactBodyFields);
    if (body !== null && redactRequestBody) {
      body = redactRequestBody(body, { method: snapshot.method, url: redactUrl(snapshot.url) });
    }
    return body;
  }
}

function redactJsonFields(body: Uint8Array, paths: readonly string[]): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return body;
  }
  let changed = false;
  const redact = (container: Record<string, unknown>, key: string) => {
    container[key] = REDACTED;
    changed = true;
  };
  for (const path of paths) {
    const parts = parsePath(path);
    // A bare name is redacted wherever it stands; a longer path only where it leads from the root.
    if (parts.length === 1 && typeof parts[0] === 'string')
      redactKeyAnywhere(value, parts[0], redact);
    else visitPath(value, parts, redact);
  }
  return changed ? new TextEncoder().encode(JSON.stringify(value)) : body;
}

function redactKeyAnywhere(
  value: unknown,
  key: string,
  redact: (container: Record<string, unknown>, key: string) => void,
): void {
  if (typeof value !== 'object' || value === null) return;
  const container = value as Record<string, unknown>;
  for (const name of Object.keys(container)) {
    if (name === key && !Array.isArray(container)) redact(container, name);
    else redactKeyAnywhere(container[name], key, redact);
  }
}
