/** What the server decided to send, before delays, compression and aborts are applied. */
export type Reply =
  /** A whole JSON body with its HTTP status. */
  | { kind: 'json'; status: number; body: unknown }
  /** A `200 text/event-stream` reply made of pre-formatted SSE frames. */
  | { kind: 'sse'; frames: string[] };

/** One assistant turn, resolved from a script step and the request it answers. */
export interface Turn {
  /** The 1-based zero-padded request number ids are built from, e.g. `0001`. */
  seq: string;
  model: string;
  /** Assistant text, or undefined when the turn is only a tool call. */
  text: string | undefined;
  toolUse: { id: string | undefined; name: string; input: Record<string, unknown> } | undefined;
  inputTokens: number;
}

/** A wire format: how a turn or an error is spelled for one API. */
export interface Dialect {
  /** The response header that carries the request id (`request-id` or `x-request-id`). */
  readonly requestIdHeader: string;
  /** The reply for a successful turn; `request` is the parsed request body (it says whether to stream). */
  success(turn: Turn, request: Record<string, unknown>): Reply;
  /** The API's error body for an HTTP error status. */
  error(status: number, message: string, seq: string): Reply;
}
