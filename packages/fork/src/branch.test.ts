import { runAgent } from '@trace/run';
import type { JsonValue } from '@trace/spec';
import { Tape } from '@trace/tape';
import { expect, it } from 'vitest';
import { recordParent, rejection, tripAgent } from './__tests__/trip.js';
import { BRANCH_METADATA_KEY, type ForkError, forkRun, verifyBranch } from './index.js';

it('verifyBranch finds a branch re-attached elsewhere, a re-recorded parent, and refuses a tape that is no branch', async () => {
  const { server, store } = await recordParent();
  const agent = tripAgent(server.anthropicBaseURL);
  await runAgent({ store, id: 'other', mode: 'record' }, agent);
  const { branch } = await forkRun(
    {
      store,
      parent: 'trip',
      id: 'b',
      at: { exchange: 2 },
      intervene: { kind: 'message', text: 'x' },
    },
    agent,
  );
  expect(await verifyBranch(store, 'b')).toEqual({
    id: 'b',
    parent: 'trip',
    ok: true,
    problems: [],
  });

  // The same events under a record that names another fork point: the digest no longer binds.
  const stored = await store.load('b');
  const { id: _id, fingerprint: _fingerprint, ...record } = branch;
  const copy = async (id: string, change: Record<string, JsonValue>) => {
    const tape = Tape.create({
      id,
      metadata: { user: { [BRANCH_METADATA_KEY]: { ...record, ...change } as JsonValue } },
    });
    for (const event of stored.events) tape.append(event);
    await store.save(tape);
  };
  await copy('moved', { at: { exchange: 1 } });
  const moved = await verifyBranch(store, 'moved');
  expect(moved.ok).toBe(false);
  expect(moved.problems.some((p) => p.includes('digest'))).toBe(true);

  // Re-attached to another parent with that parent's fingerprint: the digest and the prefix fail.
  const other = await store.load('other');
  await copy('reattached', { parent: 'other', parentFingerprint: other.fingerprint });
  const reattached = await verifyBranch(store, 'reattached');
  expect(reattached.ok).toBe(false);
  expect(reattached.problems.some((p) => p.includes('digest'))).toBe(true);
  expect(reattached.problems.some((p) => p.includes('of the prefix is not the parent'))).toBe(true);

  // The parent re-recorded since: its fingerprint is not the one the branch was forked from.
  await runAgent({ store, id: 'trip', mode: 'record' }, agent);
  const detached = await verifyBranch(store, 'b');
  expect(detached.ok).toBe(false);
  expect(detached.problems).toEqual([expect.stringContaining('not the recorded')]);

  const error = await rejection(verifyBranch(store, 'other'));
  expect((error as ForkError).code).toBe('FORK_NOT_A_BRANCH');
});
