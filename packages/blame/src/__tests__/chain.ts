/**
 * A small agent against a real HTTP model on 127.0.0.1, recorded into a real SQLite store: it
 * draws a random number (unused) and a tool result, then asks the model `steps` times in turn,
 * re-asking while the model says "again". Its outcome: every answer "good" and the tool "found".
 * How the server answers is up to each test: the recording and each trial's tail can be told
 * apart by the `x-seed` header a trial's tail fetch adds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentContext, runAgent } from '@trace/run';
import { openSqliteStore, type SqliteTapeStore } from '@trace/store-sqlite';
import { onTestFinished } from 'vitest';
import type { Oracle } from '../oracle.js';

export interface Chain {
  readonly answers: readonly string[];
  readonly tool: string;
}

export interface Asked {
  readonly step: number;
  readonly attempt: number;
  /** The trial's seed, for a tail call; undefined for the recording. */
  readonly seed: string | undefined;
}

export interface World {
  readonly url: string;
  /** Every request the server answered. */
  readonly asked: Asked[];
  close(): Promise<void>;
}

/** A model server answering `answer(asked)`, with Anthropic-shaped usage (10 in, 5 out). */
export async function startWorld(answer: (asked: Asked) => string | number): Promise<World> {
  const asked: Asked[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const { step, attempt } = JSON.parse(body) as { step: number; attempt: number };
    const seed = req.headers['x-seed'] as string | undefined;
    const question = { step, attempt, seed };
    asked.push(question);
    const reply = answer(question);
    if (typeof reply === 'number') {
      res.writeHead(reply, { 'content-type': 'application/json' }).end('{"error":"scripted"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ text: reply, usage: { input_tokens: 10, output_tokens: 5 } }));
  }).listen(0, '127.0.0.1');
  await new Promise((listening) => server.once('listening', listening));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/step`;
  const world: World = {
    url,
    asked,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
  onTestFinished(() => world.close());
  return world;
}

export interface ChainOptions {
  /** A call that fails counts as the answer "good" (an agent that hides errors). */
  readonly forgive?: boolean;
  /** The request body of each call. Default: the JSON `{ step, attempt }`. */
  readonly body?: (step: number, attempt: number) => NonNullable<RequestInit['body']>;
}

export function chainAgent(
  url: string,
  steps: number,
  {
    forgive = false,
    body = (step, attempt) => JSON.stringify({ step, attempt }),
  }: ChainOptions = {},
) {
  return async ({ fetch, source }: AgentContext): Promise<Chain> => {
    source.int(0, 99); // draw 0: read, never used
    const tool = source.draw('tool:lookup', () => 'found'); // draw 1: a tool result
    const answers: string[] = [];
    for (let step = 0; step < steps; step++) {
      let text = '';
      for (let attempt = 0; attempt < 5 && (attempt === 0 || text === 'again'); attempt++) {
        const response = await fetch(url, {
          method: 'POST',
          body: body(step, attempt),
        });
        if (!response.ok && forgive) text = 'good';
        else if (!response.ok) throw new Error(`the model answered ${response.status}`);
        else text = ((await response.json()) as { text: string }).text;
      }
      answers.push(text);
    }
    return { answers, tool };
  };
}

export const allGood: Oracle<Chain> = Object.assign(
  (value: Chain) => value.answers.every((a) => a === 'good') && value.tool === 'found',
  { description: 'every answer is good and the tool found it' },
);

/** A tail fetch that tags each call with the trial's seed. */
export function seededTail(seed: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('x-seed', seed);
    return fetch(input, { ...init, headers });
  };
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trace-blame-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RecordedChain {
  readonly world: World;
  readonly store: SqliteTapeStore;
  readonly path: string;
  readonly agent: (ctx: AgentContext) => Promise<Chain>;
}

/** Records the run `chain` (`steps` exchanges, 2 draws) in a fresh SQLite store. */
export async function recordChain(
  steps: number,
  answer: (asked: Asked) => string | number,
  options: ChainOptions = {},
): Promise<RecordedChain> {
  const world = await startWorld(answer);
  const path = join(tempDir(), 'runs.tape.db');
  const agent = chainAgent(world.url, steps, options);
  await runAgent({ path, id: 'chain', mode: 'record', env: {} }, agent);
  const store = openSqliteStore(path);
  onTestFinished(() => store.close());
  return { world, store, path, agent };
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
