import { TraceError } from '@trace/spec';

/** Every stable error code @trace/proxy throws or answers with. Documented in the README; never reworded. */
export const ProxyErrorCode = {
  /** An option has a value that is not allowed (an upstream that is no URL, a port out of range). */
  INVALID_OPTION: 'PROXY_INVALID_OPTION',
  /** The proxy could not listen on its port (in use, not allowed). */
  LISTEN_FAILED: 'PROXY_LISTEN_FAILED',
  /** A request reached the proxy while no run was open. */
  NO_RUN: 'PROXY_NO_RUN',
  /** A request's path matches no upstream. */
  NO_UPSTREAM: 'PROXY_NO_UPSTREAM',
  /** A control or draw request was malformed (unknown draw kind, bad parameters, bad JSON). */
  BAD_REQUEST: 'PROXY_BAD_REQUEST',
  /** The request failed on its way to the upstream (refused, reset, timed out), live or replayed. */
  UPSTREAM_FAILED: 'PROXY_UPSTREAM_FAILED',
} as const;
export type ProxyErrorCode = (typeof ProxyErrorCode)[keyof typeof ProxyErrorCode];

/** Every error @trace/proxy throws on purpose. */
export class ProxyError extends TraceError<ProxyErrorCode> {
  static override readonly brand = Symbol.for('@trace/proxy.ProxyError');
}
