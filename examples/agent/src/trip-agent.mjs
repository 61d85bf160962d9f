// The trip planner as a module that command-line tools load: its default export is the agent as
// a function of its run's context — `(ctx) => Promise<result>`, what `runAgent` of @trace/run
// takes — so `trace fork --agent examples/agent/src/trip-agent.mjs …` can run it forward from any
// step. The model is at TRIP_MODEL_URL (an Anthropic-compatible base URL, such as the scripted
// server's); TRIP_ITERATIONS days are planned (default 2).
import Anthropic from '@anthropic-ai/sdk';
import { planTrip } from './agent.mjs';

// The scripted server takes any key; this one is built at run time and never recorded.
const API_KEY = process.env.ANTHROPIC_API_KEY ?? ['demo', 'key', process.pid].join('-');
const quiet = { phase() {}, verdict() {}, sampling() {}, toolCall() {} };

/** @param {import('@trace/run').AgentContext} ctx */
export default function tripAgent(ctx) {
  const baseURL = process.env.TRIP_MODEL_URL;
  if (baseURL === undefined) throw new Error('Set TRIP_MODEL_URL to the model API base URL.');
  const client = new Anthropic({ apiKey: API_KEY, baseURL, fetch: ctx.fetch, maxRetries: 0 });
  const iterations = Number(process.env.TRIP_ITERATIONS ?? 2);
  return planTrip({ client, source: ctx.source, iterations, hooks: quiet });
}
