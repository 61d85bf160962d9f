export { findTraceError, hasTraceErrorCode } from './find.js';
export { TraceError, type TraceErrorOptions } from './trace-error.js';
