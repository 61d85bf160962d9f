/**
 * What the run tests share: temporary store folders, the scripted server, the official clients
 * pointed at it through a run's `fetch`, a fetch that counts the SDK's attempts, and a look at the
 * tape a run left on disk. Everything is real: SQLite files, an HTTP server on 127.0.0.1, the SDKs.
 */
import { spawn } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { type LlmServer, type ScriptStep, startLlmServer } from '@trace/llm-server';
import type { TapeEvent } from '@trace/spec';
import { openSqliteStore } from '@trace/store-sqlite';
import type { Tape, TapeSummary } from '@trace/tape';
import { fakeCredential } from '@trace/test-utils';
import OpenAI from 'openai';
import { onTestFinished } from 'vitest';

/** What `promise` rejected with; throws (failing the test) if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

/** A fresh folder for one test's store files, removed when the test ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trace-run-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store path in a fresh folder. */
export function storePath(name = 'runs.tape.db'): string {
  return join(tempDir(), name);
}

/** The scripted server, closed when the test ends (closing twice is fine). */
export async function startServer(script: ScriptStep[] = []): Promise<LlmServer> {
  const server = await startLlmServer({ script });
  onTestFinished(() => server.close());
  return server;
}

/** Fake keys built at run time; the scripted server takes any. */
export const anthropicKey = fakeCredential('anthropic_key').text;
export const openaiKey = fakeCredential('openai_project_key').text;

/** Both official clients against the server's URLs, sending through `fetch`, retries at default. */
export function clients(
  server: Pick<LlmServer, 'anthropicBaseURL' | 'openaiBaseURL'>,
  fetch?: typeof globalThis.fetch,
) {
  const withFetch = fetch === undefined ? {} : { fetch };
  return {
    anthropic: new Anthropic({
      apiKey: anthropicKey,
      baseURL: server.anthropicBaseURL,
      ...withFetch,
    }),
    openai: new OpenAI({ apiKey: openaiKey, baseURL: server.openaiBaseURL, ...withFetch }),
  };
}

/**
 * Wraps a fetch and counts the calls made through it — the SDK's own attempts, retries included —
 * with the status each was answered with.
 */
export function counting(fetch: typeof globalThis.fetch): {
  readonly fetch: typeof globalThis.fetch;
  readonly calls: number;
  readonly statuses: readonly number[];
} {
  let calls = 0;
  const statuses: number[] = [];
  return {
    fetch: (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      calls++;
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    }) as typeof globalThis.fetch,
    get calls() {
      return calls;
    },
    statuses,
  };
}

/** The tape stored under `id`, read back (and proven) from the file. */
export function loadTape(path: string, id: string): Tape {
  const store = openSqliteStore(path, { readonly: true });
  try {
    return store.load(id);
  } finally {
    store.close();
  }
}

/** Every tape the file holds, staged re-recordings included. */
export function listTapes(path: string): TapeSummary[] {
  const store = openSqliteStore(path, { readonly: true });
  try {
    return store.list();
  } finally {
    store.close();
  }
}

/** The tape's events as `exchange`, `annotation` or the draw's kind, in tape order. */
export function eventKinds(events: readonly TapeEvent[]): string[] {
  return events.map((event) => (event.type === 'draw' ? event.kind : event.type));
}

/** A recorded `random.float` or `clock.monotonic` value (16 hex digits of IEEE-754 bits). */
export function doubleOf(bits: unknown): number {
  return Buffer.from(String(bits), 'hex').readDoubleBE(0);
}

/**
 * Counts new TCP connections Node's fetch (undici) opens while `fn` runs: fewer than requests
 * means sockets were kept alive and reused.
 */
export async function countConnections<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; connections: number }> {
  let connections = 0;
  const onConnect = () => {
    connections++;
  };
  diagnostics.subscribe('undici:client:connected', onConnect);
  try {
    const value = await fn();
    return { value, connections };
  } finally {
    diagnostics.unsubscribe('undici:client:connected', onConnect);
  }
}

/** Words enough for a stream that takes a while at `chunkDelayMs` per event. */
export function manyWords(count: number): string {
  return Array.from({ length: count }, (_, i) => `word${i}`).join(' ');
}

const RECORD_CHILD = fileURLToPath(new URL('./record-child.mjs', import.meta.url));

/** A child process recording a run (see record-child.mjs), and how to kill it. */
export interface RecordingChild {
  /** Resolves once the child printed `line` (it is mid-stream by then). */
  printed(line: string): Promise<void>;
  /** SIGKILLs the child and resolves once it is gone, with the signal that ended it. */
  kill(): Promise<NodeJS.Signals | null>;
}

/**
 * Starts record-child.mjs: it opens `{ path, id, mode: 'record' }` from the built package and
 * runs the shared streaming agent against the server until it is killed.
 */
export function spawnRecordingChild(options: {
  path: string;
  id: string;
  baseURL: string;
  prompt: string;
}): RecordingChild {
  const child = spawn(
    process.execPath,
    [RECORD_CHILD, options.path, options.id, options.baseURL, options.prompt],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRACE_MODE: '', CI: '' } },
  );
  let stdout = '';
  let stderr = '';
  const waiters: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (stdout.split('\n').includes(waiter.line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
    settle();
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const waiter of waiters.splice(0)) {
        waiter.reject(
          new Error(
            `record-child exited (${code ?? signal}) before printing ${waiter.line}:\n${stderr}`,
          ),
        );
      }
      resolve(signal);
    });
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    printed: (line) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ line, resolve, reject });
        settle();
      }),
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}
