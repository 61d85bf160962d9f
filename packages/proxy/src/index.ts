/**
 * @trace/proxy: a local HTTP proxy that records and replays an agent's model calls exactly as
 * @trace/transport does, for agents in any language — point the SDK's base URL at it.
 */
export { DRAW_PATH, draw } from './draws.js';
export { ProxyError, ProxyErrorCode } from './errors.js';
export { type ProxyOptions, type ProxyRunOptions, startProxy, type TraceProxy } from './proxy.js';
export { closeOnSignals, type SignalOptions } from './signals.js';
export { parseUpstream, type Upstream } from './upstreams.js';
