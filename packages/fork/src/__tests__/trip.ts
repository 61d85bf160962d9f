/**
 * The example agent (examples/agent: `planTrip` on the Anthropic SDK, streamed on odd
 * iterations) against the scripted server answering as `respond` does, recorded as a parent in a
 * real SQLite store. Everything is real: the file, the server on 127.0.0.1, the SDK.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { type LlmServer, startLlmServer } from '@trace/llm-server';
import type { NondetSource } from '@trace/nondet';
import { type AgentContext, runAgent } from '@trace/run';
import { openSqliteStore, type SqliteTapeStore } from '@trace/store-sqlite';
import { fakeCredential } from '@trace/test-utils';
import { onTestFinished } from 'vitest';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { CITIES, planTrip } from '../../../../examples/agent/src/agent.mjs';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { respond } from '../../../../examples/agent/src/world.mjs';

export { CITIES };

export interface Day {
  readonly iteration: number;
  readonly city: string;
  readonly weather: { city: string; tempC: number; sky: string };
  readonly plan: string;
  readonly accepted: boolean;
}
export interface Trip {
  readonly runId: string;
  readonly startedAt: string;
  readonly days: readonly Day[];
}

const hooks = { phase() {}, verdict() {}, sampling() {}, toolCall() {} };
const apiKey = fakeCredential('anthropic_key').text;

/** The agent as a function of its context, `iterations` days, against `baseURL`. */
export function tripAgent(
  baseURL: string,
  iterations = 2,
  system?: (s: NondetSource) => NondetSource,
) {
  return (ctx: AgentContext): Promise<Trip> => {
    const client = new Anthropic({ apiKey, baseURL, fetch: ctx.fetch, maxRetries: 0 });
    return planTrip({
      client,
      source: system ? system(ctx.source) : ctx.source,
      iterations,
      hooks,
    });
  };
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trace-fork-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function startServer(): Promise<LlmServer> {
  const server = await startLlmServer({ respond });
  onTestFinished(() => server.close());
  return server;
}

export interface Recorded {
  readonly server: LlmServer;
  readonly store: SqliteTapeStore;
  readonly path: string;
  readonly trip: Trip;
  readonly fingerprint: string;
}

/** Records the parent `trip` (2 days: 4 exchanges, the last 2 streamed) into a fresh store. */
export async function recordParent(iterations = 2): Promise<Recorded> {
  const server = await startServer();
  const path = join(tempDir(), 'runs.tape.db');
  const { value, report } = await runAgent(
    { path, id: 'trip', mode: 'record' },
    tripAgent(server.anthropicBaseURL, iterations),
  );
  const store = openSqliteStore(path);
  onTestFinished(() => store.close());
  return { server, store, path, trip: value, fingerprint: report.fingerprint as string };
}

/** What `promise` rejected with; throws if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}
