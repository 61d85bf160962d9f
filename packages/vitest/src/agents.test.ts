/**
 * vitest itself, run on a project with an Anthropic-SDK agent and an OpenAI-SDK agent against the
 * scripted LLM server on 127.0.0.1: the first run records, CI replays with the server stopped, a
 * changed prompt fails with the JSON path in the first line, `-u` re-records, a renamed test's
 * tape is reported obsolete and `-u` removes it — in both the forks and the threads pool.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type LlmServer, startLlmServer } from '@trace/llm-server';
import { openSqliteStore } from '@trace/store-sqlite';
import { fakeCredential } from '@trace/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, type VitestRun } from './__tests__/project.js';

const ANTHROPIC_STORE = '__tapes__/anthropic.test.mjs.tapes.db';
const OPENAI_STORE = '__tapes__/openai.test.mjs.tapes.db';

function tapesIn(project: FixtureProject, store: string): string[] {
  const opened = openSqliteStore(project.path(store), { readonly: true });
  try {
    return opened.list().map((tape) => tape.id);
  } finally {
    opened.close();
  }
}

function digest(project: FixtureProject, file: string): string {
  return createHash('sha256')
    .update(readFileSync(project.path(file)))
    .digest('hex');
}

function states(run: VitestRun): Record<string, string> {
  return Object.fromEntries([...run.tests].map(([name, test]) => [name, test.status]));
}

describe.each(['forks', 'threads'])('vitest --pool=%s on the agents project', (pool) => {
  const project = new FixtureProject('agents');
  const key = fakeCredential('anthropic_key').text;
  let server: LlmServer;
  let env: Record<string, string>;
  // The server comes back on the same port: the tapes hold its URL.
  const restart = async () => {
    server = await startLlmServer({ port: Number(new URL(env.LLM_URL!).port) });
  };
  const vitest = (args: string[], extra: Record<string, string> = {}) =>
    project.vitest([`--pool=${pool}`, ...args], { ...env, ...extra });

  beforeAll(async () => {
    server = await startLlmServer();
    env = { LLM_URL: server.url, LLM_KEY: key };
  });
  afterAll(async () => {
    await server.close();
    project.remove();
  });

  it('records on the first run, then replays under CI with the server stopped', async () => {
    const first = await vitest([]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(states(first)).toEqual({
      'trip planner plans a day': 'passed',
      'trip planner streams a plan': 'passed',
      'packs for the weather': 'passed',
    });
    expect(server.requests).toHaveLength(4);
    expect(tapesIn(project, ANTHROPIC_STORE)).toEqual([
      'trip_planner/plans_a_day',
      'trip_planner/streams_a_plan',
    ]);
    expect(tapesIn(project, OPENAI_STORE)).toEqual(['packs_for_the_weather']);
    // The key never reaches a tape.
    for (const store of [ANTHROPIC_STORE, OPENAI_STORE]) {
      expect(readFileSync(project.path(store)).includes(key)).toBe(false);
    }

    await server.close();
    const before = digest(project, ANTHROPIC_STORE);
    const replay = await vitest([], { CI: 'true' });
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(Object.values(states(replay))).toEqual(['passed', 'passed', 'passed']);
    // A replay opens the store read-only: a committed store stays byte for byte as it was.
    expect(digest(project, ANTHROPIC_STORE)).toBe(before);
  });

  it('fails a changed prompt with the JSON path in the first line, and -u re-records it', async () => {
    project.edit('anthropic.test.mjs', 'Plan a day in Lisbon.', 'Plan a day in Porto.');
    const changed = await vitest([], { CI: 'true' });
    expect(changed.code).toBe(1);
    expect(states(changed)).toEqual({
      'trip planner plans a day': 'failed',
      'trip planner streams a plan': 'passed',
      'packs for the weather': 'passed',
    });
    const failure = changed.tests.get('trip planner plans a day')!.failureMessages[0]!;
    const firstLine = failure.split('\n')[0];
    expect(firstLine).toMatch(
      /^TraceVitestError: Replay of tape trip_planner\/plans_a_day diverged at request 0 \(POST http:\/\/127\.0\.0\.1:\d+\/v1\/messages\): messages\[0\]\.content is "Plan a day in Porto\. It is day \d+\.", recorded "Plan a day in Lisbon\. It is day \d+\."$/,
    );
    // In vitest's own output too (its failures go to stderr): the line under the test's heading.
    const lines = changed.stderr.split('\n');
    const heading = lines.findIndex((line) =>
      /FAIL .*anthropic\.test\.mjs > trip planner > plans a day/.test(line),
    );
    expect(heading).toBeGreaterThanOrEqual(0);
    expect(lines[heading + 1]).toBe(firstLine);

    await restart();
    const update = await vitest(['-u']);
    expect(update.code, update.stdout + update.stderr).toBe(0);
    // -u re-records every tape a test takes, not only the one that failed.
    expect(server.requests).toHaveLength(4);
    await server.close();
    const replay = await vitest([], { CI: 'true' });
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
  });

  it('reports the tape of a renamed test as obsolete, and -u removes it', async () => {
    project.edit('anthropic.test.mjs', "'streams a plan'", "'streams a day plan'");
    await restart();
    const renamed = await vitest([]);
    expect(renamed.code, renamed.stdout + renamed.stderr).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(renamed.stdout).toContain(
      '@trace/vitest  1 obsolete tape (no test took it in this run); run `vitest -u` to remove it:\n' +
        `   ${ANTHROPIC_STORE} › trip_planner/streams_a_plan\n`,
    );
    expect(tapesIn(project, ANTHROPIC_STORE)).toContain('trip_planner/streams_a_plan');

    // Tests filtered out did not run: their tapes are not judged.
    await server.close();
    const filtered = await vitest(['-t', 'packs'], { CI: 'true' });
    expect(filtered.code, filtered.stdout + filtered.stderr).toBe(0);
    expect(states(filtered)['packs for the weather']).toBe('passed');
    expect(filtered.stdout).not.toContain('obsolete');

    await restart();
    const update = await vitest(['-u']);
    expect(update.code, update.stdout + update.stderr).toBe(0);
    expect(update.stdout).toContain(
      `@trace/vitest  removed 1 obsolete tape:\n   ${ANTHROPIC_STORE} › trip_planner/streams_a_plan\n`,
    );
    expect(tapesIn(project, ANTHROPIC_STORE)).toEqual([
      'trip_planner/plans_a_day',
      'trip_planner/streams_a_day_plan',
    ]);
    await server.close();
    const replay = await vitest([], { CI: 'true' });
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).not.toContain('obsolete');
  });
});
