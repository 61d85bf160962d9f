import { runAgent } from '@trace/run';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { recordParent, rejection, tripAgent } from './__tests__/trip.js';
import { type BranchNode, branchesOf, diffBranch, type ForkError, forkRun } from './index.js';

/** A tree as ids only: `[id, [children…]]`. */
const shape = (nodes: readonly BranchNode[]): unknown[] =>
  nodes.map((n) => [n.id, shape(n.branches)]);

describe('branchesOf', () => {
  it('lists a run’s branches and theirs, oldest first, and nothing that is no branch of it', async () => {
    const { server, store } = await recordParent();
    const agent = tripAgent(server.anthropicBaseURL);
    await runAgent({ store, id: 'other', mode: 'record' }, agent);
    const fork = (parent: string, id: string, exchange: number, text: string) =>
      forkRun({ store, parent, id, at: { exchange }, intervene: { kind: 'message', text } }, agent);
    await fork('trip', 'a', 3, 'one');
    await fork('trip', 'b', 1, 'two');
    await fork('a', 'a.1', 1, 'three');
    await fork('a.1', 'a.1.1', 0, 'four');
    await fork('other', 'o', 1, 'five');

    const tree = await branchesOf(store, 'trip');
    expect(tree.id).toBe('trip');
    expect(tree.fingerprint).toBe((await store.load('trip')).fingerprint);
    expect(shape(tree.branches)).toEqual([
      ['a', [['a.1', [['a.1.1', []]]]]],
      ['b', []],
    ]);
    const [a, b] = tree.branches;
    expect(a).toMatchObject({
      at: { exchange: 3 },
      intervention: { kind: 'message', text: 'one' },
      attached: true,
      fingerprint: (await store.load('a')).fingerprint,
    });
    expect(b?.at).toEqual({ exchange: 1 });
    expect(tree.unreadable).toEqual([]);
    expect(shape((await branchesOf(store, 'a.1')).branches)).toEqual([['a.1.1', []]]);
    expect(shape((await branchesOf(store, 'other')).branches)).toEqual([['o', []]]);
    expect((await branchesOf(store, 'b')).branches).toEqual([]);
  });

  it('marks branches whose parent was re-recorded since as detached', async () => {
    const { server, store } = await recordParent();
    const agent = tripAgent(server.anthropicBaseURL);
    await forkRun(
      { store, parent: 'trip', id: 'a', at: { exchange: 1 }, intervene: { kind: 'resample' } },
      agent,
    );
    await forkRun(
      { store, parent: 'a', id: 'a.1', at: { exchange: 1 }, intervene: { kind: 'resample' } },
      agent,
    );
    // A new recording under the same id draws a new run id: another fingerprint.
    await runAgent({ store, id: 'trip', mode: 'record' }, agent);
    const [a] = (await branchesOf(store, 'trip')).branches;
    expect(a?.attached).toBe(false);
    expect(a?.branches[0]?.attached).toBe(true);
  });

  it('a run the store does not hold is FORK_NO_PARENT', async () => {
    const { store } = await recordParent(1);
    const error = await rejection(branchesOf(store, 'nope'));
    expect((error as ForkError).code).toBe('FORK_NO_PARENT');
  });
});

describe('a branch in the store', () => {
  it('keeps only the events from its fork point on, and replays whole once its parent is deleted', async () => {
    const { server, store, path } = await recordParent(3);
    const agent = tripAgent(server.anthropicBaseURL, 3);
    const parent = await store.load('trip');
    const { branch, value } = await forkRun(
      { store, parent: 'trip', at: { exchange: 4 }, intervene: { kind: 'message', text: 'Rest.' } },
      agent,
    );
    const forked = await store.load(branch.id);
    // The fork point's seq: the parent's exchange 4 (the agent issues one request at a time).
    let exchanges = 0;
    const forkSeq = parent.events.findIndex((e) => e.type === 'exchange' && exchanges++ === 4);
    const rows = new Database(path, { readonly: true });
    const own = rows
      .prepare('SELECT count(*) FROM events WHERE tape_id = ?')
      .pluck()
      .get(branch.id);
    rows.close();
    expect(own).toBe(forked.events.length - forkSeq);

    await store.delete('trip');
    expect((await store.verify()).ok).toBe(true);
    await server.close();
    const offline = await runAgent({ store, id: branch.id, mode: 'replay' }, agent);
    expect(offline.value).toEqual(value);
    expect(offline.report.fingerprint).toBe(branch.fingerprint);
  });
});

describe('diffBranch', () => {
  it('a replaced answer: the branch parts at that response, by JSON path, then the tail differs', async () => {
    const { server, store, trip } = await recordParent();
    const { branch } = await forkRun(
      {
        store,
        parent: 'trip',
        at: { exchange: 1 },
        intervene: { kind: 'message', text: 'Plan for Nowhere: stay in.' },
      },
      tripAgent(server.anthropicBaseURL),
    );
    const diff = await diffBranch(store, branch.id);
    expect(diff).toMatchObject({ id: branch.id, parent: 'trip', at: { exchange: 1 } });
    expect(diff.parted).toEqual({ exchange: 1 });
    expect(diff.steps[0]).toEqual({
      step: { exchange: 1 },
      part: 'response',
      differences: [
        {
          path: 'content[0].text',
          parent: trip.days[0]!.plan,
          branch: 'Plan for Nowhere: stay in.',
        },
      ],
    });
    // Nothing before the fork point differs: every later step comes after it on the branch.
    const tape = await store.load(branch.id);
    const exchangeSeq = tape.events.findIndex(
      (e, i) =>
        e.type === 'exchange' &&
        tape.events.slice(0, i).filter((x) => x.type === 'exchange').length === 1,
    );
    const drawsBefore = tape.events.slice(0, exchangeSeq).filter((e) => e.type === 'draw').length;
    for (const step of diff.steps.slice(1)) {
      if ('exchange' in step.step) expect(step.step.exchange).toBeGreaterThan(1);
      else expect(step.step.draw).toBeGreaterThanOrEqual(drawsBefore);
    }
    // The tail's answers (streamed on the second day) carry the server's new message ids.
    expect(
      diff.steps.some(
        (s) =>
          'exchange' in s.step &&
          s.step.exchange === 2 &&
          s.part === 'response' &&
          s.differences.some((d) => d.path === 'events[0].data.message.id'),
      ),
    ).toBe(true);
  });

  it('a draw fork: the draw, then the request it changed, by the JSON path in its body', async () => {
    const { server, store, trip } = await recordParent(1);
    const parent = await store.load('trip');
    const draws = parent.events.filter((e) => e.type === 'draw');
    const index = draws.findIndex((e) => e.type === 'draw' && e.kind === 'random.int');
    // A city other than the one the parent drew (index 5, Quebec, unless it drew that: then 4, Cairo).
    const drawn = Number((draws[index]!.value as { value: string }).value);
    const chosen = drawn === 5 ? 4 : 5;
    const city = chosen === 5 ? 'Quebec' : 'Cairo';
    const { branch } = await forkRun(
      { store, parent: 'trip', at: { draw: index }, intervene: { kind: 'draw', value: chosen } },
      tripAgent(server.anthropicBaseURL, 1),
    );
    const diff = await diffBranch(store, branch.id);
    expect(diff.parted).toEqual({ draw: index });
    const [drawStep] = diff.steps;
    const requestStep = diff.steps.find((s) => s.part === 'request');
    expect(drawStep?.part).toBe('draw');
    expect(drawStep?.differences).toEqual([
      {
        path: 'value.value',
        parent: (draws[index]!.value as { value: string }).value,
        branch: String(chosen),
      },
    ]);
    expect(requestStep).toEqual({
      step: { exchange: 0 },
      part: 'request',
      differences: [
        {
          path: 'messages[0].content',
          parent: `Iteration 0: plan a day in ${trip.days[0]!.city}.`,
          branch: `Iteration 0: plan a day in ${city}.`,
        },
      ],
    });
  });

  it('steps only one side made are listed as such', async () => {
    const { server, store } = await recordParent(2);
    // The agent of the branch stops after one day: the parent's second day is only the parent's.
    const { branch } = await forkRun(
      { store, parent: 'trip', at: { exchange: 1 }, intervene: { kind: 'resample' } },
      tripAgent(server.anthropicBaseURL, 1),
    );
    const diff = await diffBranch(store, branch.id);
    const only = diff.steps.filter((s) => s.part === 'only-in-parent').map((s) => s.step);
    expect(only).toEqual(expect.arrayContaining([{ exchange: 2 }, { exchange: 3 }]));
    expect(diff.steps.some((s) => s.part === 'only-in-branch')).toBe(false);
  });

  it('a tape that is no branch is FORK_NOT_A_BRANCH', async () => {
    const { store } = await recordParent(1);
    const error = await rejection(diffBranch(store, 'trip'));
    expect((error as ForkError).code).toBe('FORK_NOT_A_BRANCH');
  });
});
