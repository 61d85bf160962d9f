/**
 * @trace/redact: one redaction engine for every @trace package. Credentials and other secrets are
 * removed from strings, JSON values, headers, URLs, whole bodies and streamed bodies, with one
 * placeholder format (`[REDACTED:kind]`), by rules compiled once per configuration.
 */
export { RedactError, RedactErrorCode } from './errors.js';
export { CREDENTIAL_HEADERS } from './headers.js';
export type { RedactionOptions } from './options.js';
export { isPlaceholder, placeholderEnd } from './placeholder.js';
export { compileRedactor, type Redactor } from './redactor.js';
export type { RedactionScope } from './text.js';
