/**
 * What the transport itself keeps off a tape, beside what the redaction engine removes
 * (credentials, in @trace/redact): the SDKs' volatile headers, which differ per machine and per
 * attempt and would make equal runs record unequal tapes.
 */

/**
 * Headers the official Anthropic and OpenAI SDKs send that vary between machines, runtimes and
 * retry attempts (`x-stainless-os`, `-arch`, `-runtime-version`, `-retry-count`, `-timeout`,
 * `user-agent`, idempotency keys). Dropped from recordings by default.
 */
export const SDK_VOLATILE_HEADERS: readonly (string | RegExp)[] = [
  /^x-stainless-/,
  'user-agent',
  'idempotency-key',
  'x-request-id',
];
