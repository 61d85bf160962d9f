/**
 * Who may read the viewer: only pages it served itself. A web page the user visits elsewhere must
 * not read their tapes, through a cross-origin request (refused by its Origin, or by the browser's
 * Sec-Fetch-Site) or through DNS rebinding (a foreign name resolving to 127.0.0.1, refused by its
 * Host). No CORS header is ever sent, so a browser never hands a response to another origin.
 */
import type { IncomingMessage } from 'node:http';

export interface GuardVerdict {
  readonly ok: boolean;
  /** Why the request was refused. */
  readonly reason?: string;
}

/** The Host header values the viewer answers to when listening on `host`:`port`. */
export function allowedHosts(host: string, port: number): Set<string> {
  const hosts = new Set([`${host.includes(':') ? `[${host}]` : host}:${port}`]);
  // On loopback the name `localhost` is the same machine; any other name could be a rebinding.
  if (host === '127.0.0.1' || host === '::1') hosts.add(`localhost:${port}`);
  return hosts;
}

/** Whether the request may be answered: its Host is the viewer's own, and it comes from no other origin. */
export function checkRequest(request: IncomingMessage, hosts: ReadonlySet<string>): GuardVerdict {
  const host = request.headers.host;
  if (host === undefined || !hosts.has(host.toLowerCase()))
    return {
      ok: false,
      reason: `the Host header ${JSON.stringify(host ?? '')} is not this viewer's address`,
    };
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host.toLowerCase()}`)
    return { ok: false, reason: `the request comes from another origin (${origin})` };
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { ok: false, reason: `the browser says the request comes from another site (${site})` };
  return { ok: true };
}
