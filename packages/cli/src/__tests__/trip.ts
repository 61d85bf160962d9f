/**
 * The example agent as the commands that run an agent load it (`--agent`), its scripted model on
 * 127.0.0.1 for the test file's lifetime, and parents recorded into real SQLite stores: what the
 * tests of `trace fork` and `trace blame` share.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LlmServer, startLlmServer } from '@trace/llm-server';
import { type AgentContext, runAgent } from '@trace/run';
import { afterAll, beforeAll, inject } from 'vitest';
import { spawnTrace, type TraceRun } from './trace.js';

const examples = fileURLToPath(new URL('../../../../examples/agent/src/', import.meta.url));
/** The module `--agent` names: the trip planner, its model at TRIP_MODEL_URL. */
export const AGENT = join(examples, 'trip-agent.mjs');
// The example is plain JavaScript, imported by path (untyped).
const { respond } = await import(join(examples, 'world.mjs'));
export const { default: tripAgent } = (await import(AGENT)) as {
  default: (ctx: AgentContext) => Promise<unknown>;
};

export interface TripFixture {
  /** The scripted model (its `requests` count the live calls). */
  readonly server: () => LlmServer;
  /** A folder of the test run's fixtures for this file. */
  readonly dir: () => string;
  /** A new store holding the parent `trip` (2 days, 4 exchanges, the last 2 streamed). */
  recordTrip(): Promise<{ store: string; value: unknown }>;
  /** `trace` in its own process (the model must keep answering meanwhile), its model set. */
  trace(args: readonly string[], env?: Record<string, string>): Promise<TraceRun>;
}

/** Registers the model server's start and stop with the calling test file. */
export function useTripFixture(name: string): TripFixture {
  let server: LlmServer;
  let dir: string;
  let stores = 0;
  beforeAll(async () => {
    server = await startLlmServer({ respond });
    // The agent module reads the model's address from the environment, here and in the binary.
    process.env.TRIP_MODEL_URL = server.anthropicBaseURL;
    dir = join(inject('fixtures').dir, name);
    mkdirSync(dir, { recursive: true });
  });
  afterAll(async () => {
    await server.close();
  });
  return {
    server: () => server,
    dir: () => dir,
    async recordTrip() {
      const store = join(dir, `runs-${stores++}.tape.db`);
      const { value } = await runAgent({ path: store, id: 'trip', mode: 'record' }, tripAgent);
      return { store, value };
    },
    trace: (args, env = {}) =>
      spawnTrace(args, { env: { TRIP_MODEL_URL: server.anthropicBaseURL, ...env } }).exited,
  };
}
