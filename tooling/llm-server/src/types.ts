/** One scripted reply. Each request to an API route consumes one step, first in, first out. */
export interface ScriptStep {
  /** Reply with this assistant text. */
  text?: string;
  /**
   * Reply with a tool call: an Anthropic `tool_use` block or an OpenAI `tool_calls` entry, with the
   * stop reason `tool_use` / finish reason `tool_calls`. Given with `text`, the text comes first.
   */
  toolUse?: { id?: string; name: string; input: Record<string, unknown> };
  /**
   * Reply with this HTTP error status (400–599) and the API's own error JSON body. The response
   * carries `retry-after: 0` and `retry-after-ms: 1`, so SDK retries follow at once.
   */
  status?: number;
  /** Wait this many milliseconds before sending the response headers. */
  delayMs?: number;
  /** Wait this many milliseconds between SSE events of a streamed reply. */
  chunkDelayMs?: number;
  /**
   * Destroy the socket after this many chunks: SSE events for a streamed reply, or the one body
   * chunk of a JSON reply (so `0` sends the headers and then drops the connection).
   */
  abortAfterChunks?: number;
  /** Compress the response body and send the matching `content-encoding` header. */
  encoding?: 'gzip' | 'br';
  /** Extra response headers; they override the server's own headers of the same name. */
  headers?: Record<string, string>;
}

/** A request the server received, recorded in arrival order. */
export interface ReceivedRequest {
  /** The HTTP method, upper case. */
  method: string;
  /** The request target as sent: path and query string, e.g. `/v1/messages`. */
  path: string;
  /** Request headers with lower-case names; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  /** The request body as UTF-8 text (empty when there was none). */
  body: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  json: unknown;
  /** The position of this request in `LlmServer.requests`, from 0. */
  index: number;
}

/** A running scripted LLM server. */
export interface LlmServer {
  /** The server's origin, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The `baseURL` for `@anthropic-ai/sdk` (the SDK appends `/v1/messages`). */
  readonly anthropicBaseURL: string;
  /** The `baseURL` for `openai` (`<url>/v1`; the SDK appends `/chat/completions`). */
  readonly openaiBaseURL: string;
  /** Every request received so far except `GET /health`, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** Appends steps to the script queue. Throws `LlmServerError` for an invalid step. */
  enqueue(...steps: ScriptStep[]): void;
  /** Stops listening and destroys every open connection, including streams in progress. */
  close(): Promise<void>;
}

/** Options for `startLlmServer`. */
export interface LlmServerOptions {
  /** The initial script queue. */
  script?: ScriptStep[];
  /** Chooses the reply when the queue is empty; without it the reply is `echo: <last user text>`. */
  respond?: (request: ReceivedRequest) => ScriptStep | Promise<ScriptStep>;
  /** The port to listen on, on 127.0.0.1; `0` (the default) picks a free one. */
  port?: number;
}
