/** Building the Response a caller receives, in record and in replay alike. */

/** Statuses whose responses cannot carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  /** Recorded pairs, or (when recording) the live response's own `Headers`, passed on as they are. */
  readonly headers: readonly (readonly [string, string])[] | Headers;
  readonly url: string;
  /** True when fetch followed a redirect to `url`. */
  readonly redirected?: boolean;
}

/** A Response over a stream (or no body), with the real URL. */
export function buildResponse(
  body: ReadableStream<Uint8Array> | null,
  head: ResponseHead,
): Response {
  const response = new Response(NULL_BODY_STATUSES.has(head.status) ? null : body, init(head));
  // A constructed Response has an empty url and says it was not redirected; callers that log or
  // follow it expect what fetch said.
  Object.defineProperty(response, 'url', { value: head.url });
  if (head.redirected === true) Object.defineProperty(response, 'redirected', { value: true });
  return response;
}

/**
 * A Response over a whole body — bytes in hand, or a promise of them (a body still arriving): read
 * straight from them, not through a web stream. A promise that rejects fails the read, as a
 * connection cut while a body arrives fails `response.json()`, not `fetch()`.
 */
export function bufferedResponse(
  bytes: Uint8Array | Promise<Uint8Array>,
  head: ResponseHead,
): Response {
  return NULL_BODY_STATUSES.has(head.status)
    ? buildResponse(null, head)
    : new BufferedResponse(bytes, head);
}

function init(head: ResponseHead): ResponseInit {
  return { status: head.status, statusText: head.statusText, headers: headersInit(head) };
}

function headersInit(head: ResponseHead): NonNullable<ResponseInit['headers']> {
  return head.headers instanceof Headers
    ? head.headers
    : head.headers.map(([name, value]) => [name, value]);
}

const UNUSABLE = 'Body is unusable: Body has already been read';

/**
 * A Response whose body is bytes the transport already holds. Its reading methods take the
 * bytes directly: building a Response over bytes and reading it back through a web stream costs
 * more than a loopback request's own round trip. It behaves as a Response does: `body` is a
 * stream (made when first asked for), the body can be read once, `bodyUsed` says so, `clone()`
 * gives an independent copy, and each read returns bytes the caller may change freely.
 */
class BufferedResponse extends Response {
  readonly #bytes: Uint8Array | Promise<Uint8Array>;
  readonly #head: ResponseHead;
  #headers: Headers | undefined;
  #stream: ReadableStream<Uint8Array> | undefined;
  #used = false;

  constructor(bytes: Uint8Array | Promise<Uint8Array>, head: ResponseHead) {
    // Headers are made when first asked for (or are the live response's own): filling a Headers
    // object for every response costs more than a microsecond, and many callers never look.
    super(null, { status: head.status, statusText: head.statusText });
    this.#bytes = bytes;
    this.#head = head;
  }

  static {
    // Defined once on the prototype rather than per instance: the platform's typings declare
    // these members as properties, which a subclass cannot override as methods or accessors.
    const proto = BufferedResponse.prototype;
    const members: Record<string, PropertyDescriptor> = {
      url: {
        get: function (this: BufferedResponse) {
          return this.#head.url;
        },
      },
      redirected: {
        get: function (this: BufferedResponse) {
          return this.#head.redirected === true;
        },
      },
      headers: {
        get: function (this: BufferedResponse) {
          const { headers } = this.#head;
          this.#headers ??=
            headers instanceof Headers ? headers : new Headers(headersInit(this.#head));
          return this.#headers;
        },
      },
      body: {
        get: function (this: BufferedResponse) {
          return this.#body();
        },
      },
      bodyUsed: {
        get: function (this: BufferedResponse) {
          return this.#used;
        },
      },
      arrayBuffer: {
        value: function (this: BufferedResponse) {
          return this.#read((bytes) => bytes.slice().buffer);
        },
      },
      bytes: {
        value: function (this: BufferedResponse) {
          return this.#read((bytes) => bytes.slice());
        },
      },
      text: {
        value: function (this: BufferedResponse) {
          return this.#read((bytes) => new TextDecoder().decode(bytes));
        },
      },
      json: {
        value: function (this: BufferedResponse) {
          return this.#read((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
        },
      },
      blob: {
        value: function (this: BufferedResponse) {
          const type = this.headers.get('content-type') ?? '';
          return this.#read((bytes) => new Blob([bytes], { type }));
        },
      },
      formData: {
        value: function (this: BufferedResponse) {
          return this.#read((bytes) => new Response(bytes, init(this.#head)).formData());
        },
      },
      clone: {
        value: function (this: BufferedResponse) {
          if (this.#used || this.#stream?.locked) throw new TypeError(UNUSABLE);
          return new BufferedResponse(this.#bytes, this.#head);
        },
      },
    };
    for (const [name, descriptor] of Object.entries(members)) {
      Object.defineProperty(proto, name, { ...descriptor, configurable: true });
    }
  }

  #body(): ReadableStream<Uint8Array> {
    if (this.#stream !== undefined) return this.#stream;
    this.#stream = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          this.#used = true;
          const bytes = this.#bytes;
          if (bytes instanceof Uint8Array) {
            controller.enqueue(bytes.slice());
            controller.close();
            return;
          }
          // A body still arriving: the read waits for it, and fails as its arrival fails.
          return bytes.then(
            (arrived) => {
              controller.enqueue(arrived.slice());
              controller.close();
            },
            (error: unknown) => controller.error(error),
          );
        },
        cancel: () => {
          this.#used = true;
        },
      },
      { highWaterMark: 0 },
    );
    // As with any Response, the stream of a body already read whole is locked: reading it fails.
    if (this.#used) this.#stream.getReader();
    return this.#stream;
  }

  /**
   * Takes the body and reads it with `read`, as a promise (as every body read is) that settles
   * as soon as the bytes are there: at once for bytes in hand, without a turn of the event loop.
   */
  #read<T>(read: (bytes: Uint8Array) => T | Promise<T>): Promise<T> {
    try {
      const taken = this.#take();
      return taken instanceof Uint8Array ? Promise.resolve(read(taken)) : taken.then(read);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #take(): Uint8Array | Promise<Uint8Array> {
    if (this.#used || this.#stream?.locked) throw new TypeError(UNUSABLE);
    this.#used = true;
    this.#stream?.getReader();
    return this.#bytes;
  }
}

/** Responses recorded with their chunk boundaries: server-sent events and newline-delimited JSON. */
export function isStreamed(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return /^(text\/event-stream|application\/(x-)?ndjson|application\/jsonl)/i.test(type);
}
