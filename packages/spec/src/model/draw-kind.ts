/**
 * The kind names written into every draw record (`@trace/nondet` draws them; a tape stores them as
 * draw events; readers such as `@trace/export` recognise clock readings by them). They are part of the log format: a name is never
 * changed or reused, and its value encoding never changes meaning.
 */
export const DrawKind = {
  /** Wall clock, Unix-epoch milliseconds; value: the integer as a JSON number. */
  wallClock: 'clock.wall',
  /** Monotonic clock (`performance.now()`), ms; value: the double's bits as 16 lowercase hex digits. */
  monotonicClock: 'clock.monotonic',
  /** A random UUIDv4; value: the canonical lowercase string. */
  uuidV4: 'uuid.v4',
  /** A UUIDv7 (Unix-ms timestamp, then random bits); value: the canonical lowercase string. */
  uuidV7: 'uuid.v7',
  /** A double in [0, 1); value: its bits as 16 lowercase hex digits. */
  float: 'random.float',
  /** An integer in [min, max]; value: `{ min, max, value }` as canonical decimal strings. */
  int: 'random.int',
  /** Random bytes; value: standard padded base64. */
  bytes: 'random.bytes',
  /** Prefix of a user-named source's kind (`source:<name>`); value: the JSON the source produced. */
  sourcePrefix: 'source:',
  /** Prefix of a failed source's kind (`source.failed:<name>`); value: `{ name, message }` of the error. */
  sourceFailedPrefix: 'source.failed:',
} as const;
