/**
 * The README's quick start, as written: its two files — the vitest config and the test — make a
 * project, which vitest runs against the scripted LLM server (the Anthropic SDK reads its base URL
 * and key from the environment), then again under CI with the server stopped.
 *
 * The quick start is a vitest project, not a node script, so it is run by vitest here rather than
 * by @trace/test-utils' `runQuickStart`; the fake key comes from @trace/test-utils.
 */
import { readFileSync } from 'node:fs';
import { startLlmServer } from '@trace/llm-server';
import { fakeCredential } from '@trace/test-utils';
import { expect, it } from 'vitest';
import { FixtureProject } from './__tests__/project.js';

function quickStartFiles(): Record<string, string> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('## Quick start')[1]?.split('\n## ')[0] ?? '';
  const files: Record<string, string> = {};
  for (const [, code] of section.matchAll(/```js\n([\s\S]*?)```/g)) {
    const name = code!.match(/^\/\/ (\S+)\n/)?.[1];
    if (name !== undefined) files[name] = code!;
  }
  return files;
}

it('the README quick start records on the first run, then replays under CI with no server', async () => {
  const files = quickStartFiles();
  expect(Object.keys(files)).toEqual(['vitest.config.js', 'agent.test.js']);
  const project = new FixtureProject('readme', { ...files, 'package.json': '{"type":"module"}' });
  const server = await startLlmServer();
  const env = {
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: fakeCredential('anthropic_key').text,
  };
  try {
    const first = await project.vitest([], env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.tests.get('plans a trip')?.status).toBe('passed');
    expect(server.requests).toHaveLength(1);
    await server.close();
    // Any key will do in CI: the real one never reached the tape.
    const replay = await project.vitest([], {
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'unused-in-replay',
      CI: 'true',
    });
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.tests.get('plans a trip')?.status).toBe('passed');
  } finally {
    await server.close();
    project.remove();
  }
});
