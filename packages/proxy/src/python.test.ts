/**
 * An agent in Python (httpx, speaking both wire formats as the official Python SDKs do) records
 * through the proxy and replays with the server stopped: its model calls, streamed ones included,
 * and its clock and ids through the draw interface. A changed prompt reaches it as the divergence.
 * Needs Python 3 with Debian's python3-httpx (the README names it; `.ci/run` installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLlmServer } from '@trace/llm-server';
import { describe, expect, it } from 'vitest';
import { proxyWith, storePath } from './__tests__/support.js';

const agent = fileURLToPath(new URL('./__tests__/python/agent.py', import.meta.url));
// Debian's python3-httpx installs into the system Python's packages: use that interpreter when
// another (pyenv, a virtualenv) comes first on PATH.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

async function runAgent(base: string, question: string): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(python, [agent, base, question]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('a Python agent through the proxy', () => {
  it('records, then replays with the server stopped — model calls, streams, clock and ids — and sees a divergence', async () => {
    const server = await startLlmServer({
      script: [
        { text: 'Hello from Anthropic' },
        { text: 'Streamed to Python', chunkDelayMs: 2 },
        { text: 'OpenAI streams too' },
      ],
    });
    const upstreams = [`/anthropic=${server.anthropicBaseURL}`, `/openai=${server.url}`];
    const path = storePath();
    const recording = await proxyWith({ path, id: 'python', upstreams });
    const live = await runAgent(recording.proxy.url, 'Plan a day in Lyon');
    expect(live).toMatchObject({
      answer: 'Hello from Anthropic',
      streamed: 'Streamed to Python',
      openai: 'OpenAI streams too',
    });
    expect(live.session).toMatch(/^[0-9a-f-]{36}$/);
    await recording.proxy.close();
    await server.close();

    const replaying = await proxyWith({ path, id: 'python', upstreams });
    expect(await runAgent(replaying.proxy.url, 'Plan a day in Lyon')).toEqual(live);
    expect(await replaying.proxy.close()).toMatchObject({
      exchanges: { recorded: 3, matched: 3, unconsumed: [] },
      draws: { recorded: 2, consumed: 2 },
    });

    const changed = await proxyWith({ path, id: 'python', upstreams });
    const diverged = await runAgent(changed.proxy.url, 'Plan a day in Nice');
    expect(diverged.error).toMatchObject({ status: 400 });
    expect((diverged.error as { message: string }).message).toContain(
      'messages[0].content: recorded "Plan a day in Lyon", live "Plan a day in Nice"',
    );
    await expect(changed.proxy.close()).rejects.toMatchObject({ code: 'TRANSPORT_DIVERGED' });
  });
});
