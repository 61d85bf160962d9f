/**
 * The example agent's run (examples/agent: the Anthropic planner, some turns streamed, then the
 * OpenAI variant), recorded against the scripted LLM server on 127.0.0.1 into a real SQLite store
 * in a temp folder, with its signed audit log — and, on request, a branch of it made with forkRun.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCheckpointKeys } from '@trace/audit';
import { forkRun } from '@trace/fork';
import { type LlmServer, startLlmServer } from '@trace/llm-server';
import type { AgentContext } from '@trace/run';
import { openSqliteStore } from '@trace/store-sqlite';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { RUN_ID, recordRun } from '../../../../examples/agent/src/runs.mjs';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { runSession, silentAudit } from '../../../../examples/agent/src/session.mjs';
// @ts-expect-error: the example is plain JavaScript without declarations.
import { respond } from '../../../../examples/agent/src/world.mjs';

export interface ExampleRun {
  readonly dir: string;
  readonly path: string;
  readonly id: string;
  readonly auditDir: string;
  readonly publicKey: string;
  readonly server: LlmServer;
  /** Forks the run at `exchange` with a new assistant message; resolves with the branch's id. */
  fork(exchange: number, text: string): Promise<string>;
  close(): Promise<void>;
}

export async function recordExampleRun(iterations = 2): Promise<ExampleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'trace-report-'));
  const path = join(dir, 'run.tape.db');
  const auditDir = join(dir, 'audit');
  const keys = generateCheckpointKeys();
  const server = await startLlmServer({ respond });
  const urls = { anthropicBaseURL: server.anthropicBaseURL, openaiBaseURL: server.openaiBaseURL };
  await recordRun({ tapePath: path, auditDir, keys, urls, iterations });
  const agent = (context: AgentContext) =>
    runSession({ server: urls, context, audit: silentAudit(context.source), iterations });
  return {
    dir,
    path,
    id: RUN_ID as string,
    auditDir,
    publicKey: keys.publicKey,
    server,
    async fork(exchange, text) {
      const id = `${RUN_ID}.fork-${exchange}`;
      try {
        await forkRun(
          {
            path,
            parent: RUN_ID,
            id,
            at: { exchange },
            intervene: { kind: 'message', text },
            tail: { draws: { seed: 7 } },
          },
          agent,
        );
      } catch (error) {
        // The agent may fail on the changed answer, and the branch is saved all the same; any
        // other failure (no branch written) is the test's.
        const store = openSqliteStore(path, { readonly: true });
        const saved = store.has(id);
        store.close();
        if (!saved) throw error;
      }
      return id;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
