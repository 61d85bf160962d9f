/**
 * A proxy in its own process, ended by real signals: SIGTERM (or SIGINT) finishes the recording,
 * which then replays; SIGKILL leaves it incomplete, and `auto` refuses to replay it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startLlmServer } from '@trace/llm-server';
import { openSqliteStore } from '@trace/store-sqlite';
import { describe, expect, it } from 'vitest';
import { apiKey, proxyWith, storePath } from './__tests__/support.js';
import { startProxy } from './index.js';

const child = fileURLToPath(new URL('./__tests__/proxy-child.mjs', import.meta.url));

/** Starts the proxy process and resolves with it and its URL once it listens. */
async function spawnProxy(path: string, id: string, upstream: string) {
  const proc: ChildProcess = spawn(process.execPath, [child, path, id, upstream], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /ready (\S+)\n/.exec(out);
      if (ready) resolve(ready[1] as string);
    });
    proc.once('exit', (code) =>
      reject(new Error(`the proxy exited with ${code} before listening: ${stderr}`)),
    );
  });
  return { proc, url, stderr: () => stderr };
}

const ask = (base: string, text: string) =>
  fetch(`${base}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({
      model: 'claude-test',
      max_tokens: 8,
      messages: [{ role: 'user', content: text }],
    }),
  }).then((r) => r.json());

describe('a proxy process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'finishes its recording on %s, and the tape replays',
    async (signal) => {
      const server = await startLlmServer();
      const path = storePath();
      const { proc, url, stderr } = await spawnProxy(path, 'signalled', server.anthropicBaseURL);
      const live = await ask(url, 'hello');
      proc.kill(signal);
      const [code] = await once(proc, 'exit');
      expect(code, stderr()).toBe(0);
      expect(stderr()).toContain(`[trace proxy] ${signal}: closing`);
      await server.close();

      const replaying = await proxyWith({
        path,
        id: 'signalled',
        upstreams: [server.anthropicBaseURL],
      });
      expect(replaying.proxy.run?.mode).toBe('replay');
      expect(await ask(replaying.proxy.url, 'hello')).toEqual(live);
      await replaying.proxy.close();
    },
  );

  it('leaves a SIGKILLed recording incomplete, which auto refuses to replay', async () => {
    const server = await startLlmServer();
    const path = storePath();
    const { proc, url } = await spawnProxy(path, 'killed', server.anthropicBaseURL);
    await ask(url, 'hello');
    proc.kill('SIGKILL');
    await once(proc, 'exit');
    const store = openSqliteStore(path, { readonly: true });
    expect(store.list().map((t) => [t.id, t.complete])).toEqual([['killed', false]]);
    store.close();
    const refused = await startProxy({
      path,
      id: 'killed',
      upstreams: [server.anthropicBaseURL],
      env: {},
      log: () => {},
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'RUN_TAPE_INCOMPLETE' });
    await server.close();
  });
});
