/**
 * The one JSON value type of the toolkit: what a tape's draws and annotations hold, what an audit
 * payload is made of, and what an export carries.
 */

/** Any JSON value. Numbers are finite: NaN and ±Infinity have no JSON form. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * How deeply a value may nest: an array or object 64 levels down is refused. Far beyond any real
 * payload, and low enough that walking a value can never exhaust the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** Where a value stops being JSON, and why. */
export interface JsonProblem {
  /** The offending part, as a path from the root: `$.messages[2].content`. */
  readonly path: string;
  /** What is wrong, as the end of a sentence that starts with the path: `is NaN, which …`. */
  readonly problem: string;
}

/** How strictly a value is checked; every JSON function of this package takes these. */
export interface JsonOptions {
  /** How the root is named in problems and errors, such as `event.value`. Default `$`. */
  readonly path?: string;
  /**
   * An object member whose value is `undefined`: refused (the default), or left out as
   * `JSON.stringify` leaves it out. An `undefined` array element is always refused.
   */
  readonly undefinedMembers?: 'refuse' | 'omit';
  /**
   * A string holding a lone surrogate: refused (the default), because UTF-8 cannot carry it and
   * the value would change on the way back; or allowed, written as a `\ud800` escape.
   */
  readonly loneSurrogates?: 'refuse' | 'allow';
}
