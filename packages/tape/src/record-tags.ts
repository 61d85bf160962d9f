/** The tag bytes of the canonical record encoding (docs/tape-format.md, section 3). */
export const EVENT_TAG = { draw: 0x01, exchange: 0x02, annotation: 0x03 } as const;
export const OUTCOME_RESPONSE = 0x01;
export const OUTCOME_ERROR = 0x02;
export const BODY_NONE = 0x00;
export const BODY_BYTES = 0x01;
export const BODY_STREAM = 0x02;
export const END_COMPLETE = 0x01;
export const END_CANCELLED = 0x02;
export const END_ERROR = 0x03;
/**
 * The optional fields after an exchange's outcome, each at most once and in ascending tag order.
 * A record without any is byte for byte what it was before they existed.
 */
export const TRAILER_ISSUE_INDEX = 0x01;
export const TRAILER_TIMING = 0x02;
export const TRAILER_REDIRECTED_TO = 0x03;
/** Bytes of one chunk reference in a streamed body: f64 offset, u64 size, 32-byte digest. */
export const CHUNK_REF_SIZE = 48;
