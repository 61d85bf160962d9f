/**
 * How a divergence reaches an agent that calls a model through an official SDK: as an answer the
 * SDK does not retry. A divergence thrown from `fetch` becomes the SDK's connection error, which it
 * retries twice and whose message hides the cause; a 400 with `x-should-retry: false` fails at the
 * first attempt, and both SDKs put the body's message in the error they throw — so the test
 * runner's summary line names the divergence.
 */
import type { TraceError } from '@trace/spec';

/** The response header a divergence answer carries, for code that tells it from a real 400. */
export const DIVERGENCE_HEADER = 'x-trace-divergence';

export function divergenceResponse(error: TraceError): Response {
  const message = `@trace replay diverged: ${error.message}`;
  // `message` at the top is what the Anthropic SDK reads; `error.message` is what OpenAI's reads.
  const body = JSON.stringify({
    type: 'error',
    message,
    error: { type: 'trace_replay_diverged', code: error.code, message },
  });
  return new Response(body, {
    status: 400,
    statusText: 'Trace Replay Diverged',
    headers: {
      'content-type': 'application/json',
      'x-should-retry': 'false',
      [DIVERGENCE_HEADER]: error.code,
    },
  });
}
