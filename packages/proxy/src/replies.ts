/**
 * The proxy's own answers to the agent: JSON, and errors in the shape both official SDKs surface
 * (the Anthropic SDK reads `message`, OpenAI's `error.message`), with `x-should-retry: false` so
 * neither retries an answer that will not change.
 */
import type { ServerResponse } from 'node:http';
import type { TraceError } from '@trace/spec';

/** Answers with a JSON body. */
export function writeJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Answers with an error the SDKs show their caller: its code and message. */
export function writeError(res: ServerResponse, status: number, error: TraceError): void {
  const message = `@trace proxy: ${error.message}`;
  writeJson(
    res,
    status,
    { type: 'error', message, error: { type: 'trace_proxy_error', code: error.code, message } },
    { 'x-should-retry': 'false', 'x-trace-error': error.code },
  );
}
