/** What a fork is asked for: the parent, the fork point, the intervention, the tail. */
import type { NondetSource } from '@trace/nondet';
import type { JsonObject, JsonValue } from '@trace/spec';
import type { TapeStore } from '@trace/tape';
import type { MatchOptions, RedactOptions } from '@trace/transport';

/**
 * A step of the parent: an exchange by its position among the parent's exchanges in the order
 * they were issued (0-based), or a draw by its position among the parent's draws (0-based).
 */
export type ForkPoint = { readonly exchange: number } | { readonly draw: number };

/** A tool call the replaced assistant message makes. */
export interface ForkToolCall {
  /** Default: `toolu_fork_<n>` (Anthropic) or `call_fork_<n>` (OpenAI). */
  readonly id?: string;
  readonly name: string;
  readonly input: JsonObject;
}

/** What changes at the fork point. */
export type Intervention =
  /** The exchange's response body replaced by these bytes (a string is UTF-8). */
  | {
      readonly kind: 'bytes';
      readonly bytes: Uint8Array | string;
      /** Default 200. */
      readonly status?: number;
      /** Default: the recorded response's content type. */
      readonly contentType?: string;
    }
  /** The exchange's response replaced by this JSON value (`application/json`). */
  | { readonly kind: 'json'; readonly value: JsonValue; readonly status?: number }
  /**
   * The assistant's answer replaced: its text and/or tool calls, framed in the recorded
   * provider's shape (Anthropic Messages, OpenAI Chat Completions), as server-sent events with a
   * chunking like the recorded one when the recorded response was streamed.
   */
  | {
      readonly kind: 'message';
      readonly text?: string;
      readonly toolCalls?: readonly ForkToolCall[];
    }
  /**
   * The draw's value replaced: as the agent reads it (a number for a clock or `float`, a string
   * for a uuid, an integer for `int`, a `Uint8Array` for `bytes`, the JSON of a named source).
   */
  | { readonly kind: 'draw'; readonly value: unknown }
  /** Keep the request (or the draw) and let the tail answer it afresh. */
  | { readonly kind: 'resample' };

/** Where everything after the fork point goes. */
export interface TailOptions {
  /** The fetch tail requests go to: the network (default `globalThis.fetch`), a fake model, a local server. */
  readonly fetch?: typeof fetch;
  /**
   * Where tail draws come from: `'live'` (default), `{ seed }` for a seeded source (equal seeds,
   * equal draws), or any `NondetSource`.
   */
  readonly draws?: 'live' | { readonly seed: number | string } | NondetSource;
  /**
   * Serve a tail request from the parent when it is the same request the parent made at that
   * position (matched as replay matches, hash for hash): cheap forks stay cheap. Default false.
   */
  readonly hybrid?: boolean;
}

export interface ForkOptions {
  /** A store the caller opened and keeps open; the parent is read from it, the branch written to it. */
  readonly store?: TapeStore | undefined;
  /** The path of an SQLite store file, opened (and closed) by the fork. */
  readonly path?: string | undefined;
  /** The parent run's id. */
  readonly parent: string;
  /** The fingerprint the parent must have (printed when it was recorded); refused when it differs. */
  readonly parentFingerprint?: string;
  readonly at: ForkPoint;
  readonly intervene: Intervention;
  readonly tail?: TailOptions;
  /** The branch's id. Default `<parent>.fork-<8 hex>`. */
  readonly id?: string;
  /** How requests are matched with the parent's (see @trace/transport); `order` is always positional. */
  readonly match?: Omit<MatchOptions, 'order'>;
  /** What is removed from tail exchanges before they reach the branch (see @trace/transport). */
  readonly redact?: RedactOptions;
  /** Kept in the branch's `user` metadata beside the fork's own record. */
  readonly metadata?: { readonly [key: string]: JsonValue };
  /** Serve the global clock, ids, randomness and `fetch` to the agent (as `runAgent` does). Default true. */
  readonly globals?: boolean;
  /** Packages whose own reads of the globals are never drawn. Default `SDK_LIBRARIES` of @trace/run. */
  readonly libraries?: readonly string[];
}
