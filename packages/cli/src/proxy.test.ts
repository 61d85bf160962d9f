/**
 * `trace proxy` as a user runs it: the built binary in its own process, the official SDKs pointed
 * at it through their base URL, the scripted LLM server behind it, ended by real signals.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startLlmServer } from '@trace/llm-server';
import { describe, expect, inject, it } from 'vitest';
import { anthropicClient, apiKey, openaiClient } from './__tests__/sdks.js';
import { spawnTrace, trace } from './__tests__/trace.js';

let stores = 0;
const storePath = () => join(inject('fixtures').dir, `proxy-${stores++}`, 'runs.tape.db');

/** `trace proxy` on a free port; resolves once it printed its line, with its URL. */
async function proxy(args: readonly string[]) {
  const child = spawnTrace(['proxy', '--port', '0', ...args]);
  const line = await child.firstLine;
  const url = /^(http:\/\/127\.0\.0\.1:\d+) /.exec(line)?.[1];
  expect(url, line).toBeDefined();
  return { ...child, line, url: url as string };
}

/** The agent: one Anthropic message, and one streamed OpenAI chat completion, through the proxy. */
async function agent(url: string, prompt: string) {
  const anthropic = anthropicClient(`${url}/anthropic`);
  const message = await anthropic.messages.create({
    model: 'claude-test',
    max_tokens: 32,
    messages: [{ role: 'user', content: prompt }],
  });
  const openai = openaiClient(`${url}/openai`);
  const stream = await openai.chat.completions.create({
    model: 'gpt-test',
    stream: true,
    messages: [{ role: 'user', content: prompt }],
  });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
  const [first] = message.content;
  return { message: first?.type === 'text' ? first.text : undefined, streamed };
}

describe('trace proxy', () => {
  it('records through the official SDKs, finishes the tape on SIGTERM, and replays it with the server stopped', async () => {
    const server = await startLlmServer();
    const store = storePath();
    const upstreams = [
      '--upstream',
      `/anthropic=${server.anthropicBaseURL}`,
      '--upstream',
      `/openai=${server.openaiBaseURL}`,
    ];
    const recording = await proxy(['--store', store, '--id', 'sdk-run', ...upstreams]);
    expect(recording.line).toBe(
      `${recording.url} · run sdk-run (record) · set each SDK's base URL to its prefix: ${recording.url}/anthropic → ${server.anthropicBaseURL}, ${recording.url}/openai → ${server.openaiBaseURL}`,
    );
    const live = await agent(recording.url, 'Plan a day in Lima.');
    expect(live.message).toContain('Plan a day in Lima.');
    expect(live.streamed).toContain('Plan a day in Lima.');
    recording.proc.kill('SIGTERM');
    const recorded = await recording.exited;
    expect(recorded.status, recorded.stderr).toBe(0);
    expect(recorded.stderr).toContain('[trace proxy] SIGTERM: closing');
    expect(recorded.stderr).toMatch(/run sdk-run closed \(record\): 2 exchanges/);
    const served = server.requests.length;
    await server.close();

    const [tape] = JSON.parse(trace(['ls', store, '--json']).stdout);
    expect(tape).toMatchObject({ id: 'sdk-run', complete: true, exchanges: 2 });
    // The proxy forwarded the agent's key upstream and stored none of it.
    expect(trace(['dump', store, 'sdk-run']).stdout).not.toContain(apiKey);

    const replaying = await proxy(['--store', store, '--id', 'sdk-run', ...upstreams]);
    expect(replaying.line).toContain(' · run sdk-run (replay) · ');
    expect(await agent(replaying.url, 'Plan a day in Lima.')).toEqual(live);
    replaying.proc.kill('SIGINT');
    const replayed = await replaying.exited;
    expect(replayed.status, replayed.stderr).toBe(0);
    expect(replayed.stderr).toMatch(/run sdk-run closed \(replay\): 2 exchanges \(2 replayed\)/);
    expect(server.requests.length).toBe(served);
  });

  it('a replay that leaves its tape: the SDK sees the divergence, and the proxy exits 1 on SIGTERM', async () => {
    const server = await startLlmServer();
    const store = storePath();
    const args = ['--store', store, '--id', 'drift', '--upstream', server.anthropicBaseURL];
    const recording = await proxy(args);
    const client = anthropicClient(recording.url);
    const ask = (content: string) =>
      client.messages.create({
        model: 'claude-test',
        max_tokens: 8,
        messages: [{ role: 'user', content }],
      });
    await ask('hello');
    recording.proc.kill('SIGTERM');
    expect((await recording.exited).status).toBe(0);
    await server.close();

    const replaying = await proxy(args);
    const replayClient = anthropicClient(replaying.url);
    const error = await replayClient.messages
      .create({ model: 'claude-test', max_tokens: 8, messages: [{ role: 'user', content: 'bye' }] })
      .catch((e: unknown) => e as Error);
    expect(String((error as Error).message)).toContain('@trace replay diverged');
    replaying.proc.kill('SIGTERM');
    const run = await replaying.exited;
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[trace proxy] run drift diverged:');
    expect(run.stderr).toContain('[trace proxy] the run did not close cleanly:');
  });

  it('a SIGKILL leaves the tape incomplete, and a later --mode auto refuses it: one line, RUN_TAPE_INCOMPLETE, exit 1', async () => {
    const server = await startLlmServer();
    const store = storePath();
    const args = ['--store', store, '--id', 'killed', '--upstream', server.anthropicBaseURL];
    const recording = await proxy(args);
    const client = anthropicClient(recording.url);
    await client.messages.create({
      model: 'claude-test',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hello' }],
    });
    recording.proc.kill('SIGKILL');
    expect((await recording.exited).status).toBeNull();
    await server.close();
    expect(JSON.parse(trace(['ls', store, '--json']).stdout)).toMatchObject([
      { id: 'killed', complete: false, exchanges: 1 },
    ]);

    const refused = trace(['proxy', '--port', '0', ...args, '--mode', 'auto']);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    const lines = refused.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^trace: .*killed.* \[RUN_TAPE_INCOMPLETE\]$/);
  });

  it('without --id, runs are opened and finished through the control endpoint', async () => {
    const server = await startLlmServer();
    const store = storePath();
    const child = await proxy(['--store', store, '--upstream', server.anthropicBaseURL]);
    expect(child.line).toBe(
      `${child.url} · no run open: POST ${child.url}/__trace/runs {"id": "<run>"} starts one · set the SDK's base URL to ${child.url} (→ ${server.anthropicBaseURL})`,
    );
    const control = (path: string, body?: object) =>
      fetch(`${child.url}/__trace/runs${path}`, {
        method: 'POST',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    for (const id of ['test-1', 'test-2']) {
      expect(await control('', { id })).toMatchObject({
        status: 200,
        body: { id, mode: 'record' },
      });
      const client = anthropicClient(child.url);
      await client.messages.create({
        model: 'claude-test',
        max_tokens: 8,
        messages: [{ role: 'user', content: id }],
      });
      expect(await control('/finish')).toMatchObject({ status: 200 });
    }
    child.proc.kill('SIGINT');
    expect((await child.exited).status).toBe(0);
    await server.close();
    const tapes = JSON.parse(trace(['ls', store, '--json']).stdout);
    expect(tapes.map((t: { id: string; complete: boolean }) => [t.id, t.complete])).toEqual([
      ['test-1', true],
      ['test-2', true],
    ]);
  });
});

describe('trace proxy: bad options are one line and exit 2', () => {
  const store = () => storePath();

  it('no --upstream', () => {
    const run = trace(['proxy', '--store', store()]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/required option '--upstream <url>' not specified/);
  });

  it('an unknown --mode', () => {
    const run = trace([
      'proxy',
      '--store',
      store(),
      '--upstream',
      'https://api.example.test',
      '--mode',
      'later',
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'trace: --mode is "later"; use one of record, replay, auto, new-episodes, passthrough. [CLI_USAGE]\n',
    );
  });

  it('an upstream that is not http(s)', () => {
    const run = trace(['proxy', '--store', store(), '--upstream', 'ftp://files.example.test']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^trace: .*must be http or https.* \[PROXY_INVALID_OPTION\]\n$/);
  });

  it('a port already taken', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    const run = await spawnTrace([
      'proxy',
      '--store',
      store(),
      '--upstream',
      'https://api.example.test',
      '--port',
      String(port),
    ]).exited;
    taken.close();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /^trace: The proxy cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\).* \[PROXY_LISTEN_FAILED\]\n$/,
    );
  });

  it('a --pace that is not a positive number', () => {
    const run = trace([
      'proxy',
      '--store',
      store(),
      '--upstream',
      'https://api.example.test',
      '--pace',
      '0',
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--pace \[factor\].*expected a positive number/);
  });
});
