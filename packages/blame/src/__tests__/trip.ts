/**
 * The example agent (examples/agent: `planTrip` on the official Anthropic SDK, streamed on odd
 * iterations) against the scripted server answering as the example's `respond` does, recorded in
 * a real SQLite store.
 */
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { type AgentContext, runAgent } from '@trace/run';
import { fakeCredential } from '@trace/test-utils';
import { onTestFinished } from 'vitest';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { planTrip } from '../../../../examples/agent/src/agent.mjs';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { respond } from '../../../../examples/agent/src/world.mjs';
import { tempDir } from './chain.js';

export interface Trip {
  readonly days: readonly {
    readonly city: string;
    readonly weather: { city: string; tempC: number; sky: string };
    readonly plan: string;
  }[];
}

const hooks = { phase() {}, verdict() {}, sampling() {}, toolCall() {} };
const apiKey = fakeCredential('anthropic_key').text;

/** Records the example agent's run `trip` (`iterations` days); returns its store path and value. */
export async function recordTrip(iterations = 2) {
  const server = await startLlmServer({ respond });
  onTestFinished(() => server.close());
  const agent = (ctx: AgentContext): Promise<Trip> =>
    planTrip({
      client: new Anthropic({
        apiKey,
        baseURL: server.anthropicBaseURL,
        fetch: ctx.fetch,
        maxRetries: 0,
      }),
      source: ctx.source,
      iterations,
      hooks,
    });
  const path = join(tempDir(), 'trip.tape.db');
  const { value } = await runAgent({ path, id: 'trip', mode: 'record', env: {} }, agent);
  return { path, agent, trip: value };
}
