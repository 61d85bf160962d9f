/**
 * `trace fork` and `trace branches` as a user runs them: the built binary in its own process,
 * the example agent loaded from its module, the scripted LLM server on 127.0.0.1 as the live
 * model, a real SQLite store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAgent } from '@trace/run';
import { describe, expect, it } from 'vitest';
import { AGENT, tripAgent, useTripFixture } from './__tests__/trip.js';

const trip = useTripFixture('fork');
const { recordTrip, trace } = trip;
const server = () => trip.server();
const dir = () => trip.dir();

describe('trace fork', () => {
  it('forks at an exchange with a new answer: the prefix costs no call, the tail its own; the branch replays offline', async () => {
    const { store } = await recordTrip();
    const before = server().requests.length;
    const run = await trace([
      'fork',
      store,
      'trip',
      '--agent',
      AGENT,
      '--at',
      'exchange:1',
      '--message',
      'Plan for Nowhere: stay in.',
      '--id',
      'nowhere',
    ]);
    expect(run.status, run.stderr).toBe(0);
    // Exchanges 2 and 3 (day 1) went to the model; 0 was served from the run, 1 replaced.
    expect(server().requests.length - before).toBe(2);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^forked trip at exchange 1 → branch nowhere · [0-9a-f]{12}$/);
    expect(lines[1]).toBe('  changed: message "Plan for Nowhere: stay in."');
    expect(lines[2]).toMatch(/^ {2}prefix: {2}1 exchange and \d+ draws served from the run/);
    expect(lines[3]).toMatch(/^ {2}tail: {4}2 live requests, 0 answered from the run, \d+ draws$/);
    expect(lines[4]).toMatch(/^ {2}parted: {2}at exchange 1 \(response: content\[0\]\.text\)/);
    expect(lines[5]).toMatch(/^ {2}result: {2}\{"runId":".{150,}…$/); // clipped at 200 characters

    const json = await trace(['branches', store, 'trip', '--json']);
    const tree = JSON.parse(json.stdout);
    expect(tree.branches).toEqual([
      expect.objectContaining({
        id: 'nowhere',
        at: { exchange: 1 },
        intervention: { kind: 'message', text: 'Plan for Nowhere: stay in.' },
        attached: true,
        branches: [],
      }),
    ]);
    // The branch is a tape like any other: it replays with no model at all.
    const offline = await runAgent({ path: store, id: 'nowhere', mode: 'replay' }, (ctx) =>
      tripAgent(ctx),
    );
    expect((offline.value as { days: { plan: string }[] }).days[0]?.plan).toBe(
      'Plan for Nowhere: stay in.',
    );
  });

  it('forks a draw with a seeded tail, prints JSON, and forks the branch again', async () => {
    const { store } = await recordTrip();
    // draw 0 is the run id (a uuid), draw 1 the start time: the clock reading is replaced.
    const first = await trace([
      'fork',
      store,
      'trip',
      '--agent',
      AGENT,
      '--at',
      'draw:1',
      '--draw',
      String(Date.UTC(2030, 0, 1)),
      '--seed',
      '7',
      '--id',
      'in-2030',
      '--json',
    ]);
    expect(first.status, first.stderr).toBe(0);
    const forked = JSON.parse(first.stdout);
    expect(forked.branch).toMatchObject({ id: 'in-2030', parent: 'trip', at: { draw: 1 } });
    expect(forked.value.startedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(forked.report.prefix.exchanges).toBe(0);

    const again = await trace([
      'fork',
      store,
      'in-2030',
      '--agent',
      AGENT,
      '--at',
      'exchange:2',
      '--resample',
      '--hybrid',
      '--id',
      'in-2030.again',
      '--json',
    ]);
    expect(again.status, again.stderr).toBe(0);
    const resampled = JSON.parse(again.stdout);
    expect(resampled.report.prefix.exchanges).toBe(2);
    // The resampled answer is the model's afresh (a new message id at least): the fork point.
    expect(resampled.parted).toEqual({ exchange: 2 });

    const tree = await trace(['branches', store, 'trip', '--verify']);
    expect(tree.status, tree.stderr).toBe(0);
    const lines = tree.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^trip · [0-9a-f]{12}$/);
    expect(lines[1]).toMatch(
      /^└─ in-2030 · at draw 1 · draw value "1893456000000" · [0-9a-f]{12} · verified$/,
    );
    expect(lines[2]).toMatch(
      /^ {3}└─ in-2030\.again · at exchange 2 · resampled · [0-9a-f]{12} · verified$/,
    );
  });

  it('refuses what it cannot do, before anything runs, with the reason', async () => {
    const { store } = await recordTrip();
    const base = ['fork', store, 'trip', '--agent', AGENT];
    const cases: [string[], RegExp][] = [
      [[...base, '--at', 'exchange:1'], /Give exactly one intervention.*none was given/],
      [
        [...base, '--at', 'exchange:1', '--resample', '--message', 'x'],
        /got --message and --resample/,
      ],
      [
        [...base, '--at', 'step 1', '--resample'],
        /is not a fork point: write exchange:N or draw:N/,
      ],
      [[...base, '--at', 'draw:0', '--draw', '{nope'], /--draw is not JSON/],
      [
        [
          'fork',
          store,
          'trip',
          '--agent',
          join(dir(), 'none.mjs'),
          '--at',
          'exchange:0',
          '--resample',
        ],
        /No agent module at/,
      ],
      [
        [...base.slice(0, 4), `${AGENT}#planner`, '--at', 'exchange:0', '--resample'],
        /has no export planner that is a function/,
      ],
      [[...base.slice(0, 2), 'nope', '--agent', AGENT, '--at', 'exchange:0', '--resample'], /nope/],
    ];
    const before = server().requests.length;
    for (const [args, message] of cases) {
      const run = await trace(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    expect(server().requests.length).toBe(before);
  });

  it('a drift (the agent no longer makes the run’s calls) is exit 1, before any live call', async () => {
    const { store } = await recordTrip();
    const before = server().requests.length;
    // One day instead of two: the agent ends before the run's exchange 3.
    const run = await trace(
      ['fork', store, 'trip', '--agent', AGENT, '--at', 'exchange:3', '--message', 'x'],
      { TRIP_ITERATIONS: '1' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/FORK_DRIFT|drifted/);
    expect(server().requests.length).toBe(before);
  });

  it('an agent that throws after the fork point is exit 1, and its branch is kept', async () => {
    const { store } = await recordTrip();
    const failing = join(dir(), 'failing-agent.mjs');
    writeFileSync(
      failing,
      `import trip from ${JSON.stringify(AGENT)};\nexport default async (ctx) => { await trip(ctx); throw new Error('the checker fell over'); };\n`,
    );
    const run = await trace([
      'fork',
      store,
      'trip',
      '--agent',
      failing,
      '--at',
      'exchange:3',
      '--resample',
      '--id',
      'fell-over',
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the checker fell over');
    expect(run.stderr).toContain('The branch fell-over was saved');
    const tree = JSON.parse((await trace(['branches', store, 'trip', '--json'])).stdout);
    expect(tree.branches.map((b: { id: string }) => b.id)).toEqual(['fell-over']);
  });
});

describe('trace branches', () => {
  it('marks a branch whose parent was re-recorded as detached, and --verify fails it', async () => {
    const { store } = await recordTrip();
    const forked = await trace([
      'fork',
      store,
      'trip',
      '--agent',
      AGENT,
      '--at',
      'exchange:1',
      '--resample',
      '--id',
      'b',
    ]);
    expect(forked.status, forked.stderr).toBe(0);
    await runAgent({ path: store, id: 'trip', mode: 'record' }, tripAgent);
    const run = await trace(['branches', store, 'trip', '--verify']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /└─ b · at exchange 1 · resampled · [0-9a-f]{12} · detached: its parent was re-recorded · FAILED/,
    );
    expect(run.stdout).toMatch(/✗ the parent trip has fingerprint [0-9a-f]{64}, not the recorded/);
    const empty = await trace(['branches', store, 'b']);
    expect(empty.stdout).toMatch(/^b · [0-9a-f]{12}\n {2}no branches\n$/);
  });
});
