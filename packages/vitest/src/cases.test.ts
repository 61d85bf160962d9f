/**
 * vitest on a project of parametrised, concurrent and misbehaving tests: distinct tapes for
 * `describe.each`, `test.for`, long and non-ASCII names; concurrent tests that replay alone; a
 * test that did less than it recorded, or swallowed its divergence, fails — itself, not another.
 */
import { type LlmServer, startLlmServer } from '@trace/llm-server';
import { openSqliteStore } from '@trace/store-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, type VitestRun } from './__tests__/project.js';

const STORE = '__tapes__/cases.test.mjs.tapes.db';

function tapesIn(project: FixtureProject, store: string): string[] {
  const opened = openSqliteStore(project.path(store), { readonly: true });
  try {
    return opened.list().map((tape) => tape.id);
  } finally {
    opened.close();
  }
}

function firstLine(run: VitestRun, test: string): string | undefined {
  return run.tests.get(test)?.failureMessages[0]?.split('\n')[0];
}

describe('vitest on the cases project', () => {
  const project = new FixtureProject('cases');
  let server: LlmServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startLlmServer();
    env = { LLM_URL: server.url, LLM_KEY: 'test-key' };
  });
  afterAll(async () => {
    await server.close();
    project.remove();
  });

  it('gives every parametrised and concurrent test its own tape, and replays them under CI', async () => {
    const first = await project.vitest([], env);
    // The suite that may only replay has no tape yet: it fails, and says how to record it.
    expect(firstLine(first, 'replay only needs a tape')).toMatch(
      /^TraceVitestError: No tape replay_only\/needs_a_tape for this test in __tapes__\/cases\.test\.mjs\.tapes\.db, and replay is strict here/,
    );
    const others = [...first.tests].filter(([name]) => name !== 'replay only needs a tape');
    expect(others.map(([name, test]) => [name, test.status])).toEqual(
      others.map(([name]) => [name, 'passed']),
    );
    const ids = tapesIn(project, STORE);
    expect(ids).toHaveLength(11);
    expect(new Set(ids).size).toBe(11);
    expect(ids).toEqual(
      expect.arrayContaining([
        'in_Oslo/plans_a_day',
        'in_Kyoto/plans_a_day',
        'concurrently/asks_question_1',
        'concurrently/asks_question_2',
        'concurrently/asks_question_3',
        'asks_twice',
        'swallows_its_errors',
        'runs_after_the_others',
      ]),
    );
    // Non-ASCII and long names: a readable prefix and a hash.
    const hashed = ids.filter((id) => /#[0-9a-f]{12}$/.test(id)).sort();
    expect(hashed).toHaveLength(3);
    expect(hashed[0]).toMatch(/^plans_a_day_in_Sao_Paulo#/);
    expect(hashed[1]).toMatch(/^plans_a_day_in_Zurich#/);
    expect(hashed[2]).toMatch(/^plans_a_very_long_trip_a_very_long_trip_/);
    // The file that chose its folder keeps its store there.
    expect(tapesIn(project, 'recordings/folder.test.mjs.tapes.db')).toEqual(['draws_a_number']);

    await server.close();
    const replay = await project.vitest(['-t', '^(?!replay only)'], { ...env, CI: 'true' });
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
  });

  it('fails only the concurrent test that changed', async () => {
    const replay = await project.vitest(['-t', 'concurrently'], {
      ...env,
      CI: 'true',
      CHANGE: '2',
    });
    expect(
      Object.fromEntries([...replay.tests].map(([name, test]) => [name, test.status])),
    ).toMatchObject({
      'concurrently asks question 1': 'passed',
      'concurrently asks question 2': 'failed',
      'concurrently asks question 3': 'passed',
    });
    expect(firstLine(replay, 'concurrently asks question 2')).toMatch(
      /^TraceVitestError: Replay of tape concurrently\/asks_question_2 diverged at request 0 .*: messages\[0\]\.content is "Question 2 \(changed\)\?", recorded "Question 2\?"$/,
    );
  });

  it('fails a test that did less than it recorded, or swallowed its divergence, and no other', async () => {
    const replay = await project.vitest(['cases.test.mjs', '-t', '^(?!replay only)'], {
      ...env,
      CI: 'true',
      FEWER: '1',
      DRIFT: ' again',
    });
    const states = Object.fromEntries([...replay.tests].map(([name, test]) => [name, test.status]));
    expect(states).toMatchObject({
      'asks twice': 'failed',
      'swallows its errors': 'failed',
      'runs after the others': 'passed',
    });
    expect(firstLine(replay, 'asks twice')).toBe(
      'TraceVitestError: Tape asks_twice: this test never used 1 recorded exchange(s) and 0 recorded draw(s) — it did less than it recorded.',
    );
    // The test's own code passed: the failure is the run's, raised in the fixture's teardown.
    expect(replay.tests.get('swallows its errors')!.failureMessages).toHaveLength(1);
    expect(firstLine(replay, 'swallows its errors')).toMatch(
      /^TraceVitestError: Replay of tape swallows_its_errors diverged at request 0 .*: messages\[0\]\.content is "Drift again\?", recorded "Drift\?"$/,
    );
  });

  it('refuses two tests that would share a tape, and a config without the plugin', async () => {
    const twins = await project.vitest(['folder.test.mjs'], { ...env, CI: 'true', TWINS: '1' });
    expect(firstLine(twins, 'draws a number')).toMatch(
      /^TraceVitestError: 2 tests in folder\.test\.mjs are named "draws a number", so they would share one tape/,
    );
    const bare = await project.vitest(['--config', 'no-plugin.config.mjs', 'folder.test.mjs'], {
      ...env,
      CI: 'true',
    });
    expect(bare.code).toBe(1);
    expect(firstLine(bare, 'draws a number')).toMatch(
      /^TraceVitestError: The `run` fixture needs @trace\/vitest's plugin/,
    );
  });
});
