/**
 * The tree of a run: its branches, and theirs, read from each tape's branch record
 * (`user['@trace/fork']`). The store keeps no index of branches, so every finished tape is
 * loaded once to read its record.
 */
import type { JsonObject } from '@trace/spec';
import { TapeError, type TapeStore } from '@trace/tape';
import { type BranchRecord, branchRecordOf, loadTape } from './branch.js';
import type { ForkPoint } from './options.js';

/** A branch in a run's tree. */
export interface BranchNode {
  readonly id: string;
  readonly fingerprint: string;
  /** The step of its parent it was forked at. */
  readonly at: ForkPoint;
  /** What changed there, in its canonical JSON form. */
  readonly intervention: JsonObject;
  /**
   * False when the parent no longer has the fingerprint the branch was forked from (it was
   * re-recorded since): the branch's prefix is no longer its parent's.
   */
  readonly attached: boolean;
  /** Its own branches, oldest first. */
  readonly branches: readonly BranchNode[];
}

/** A run and every branch below it. */
export interface BranchTree {
  readonly id: string;
  readonly fingerprint: string;
  /** Its branches, oldest first, each with theirs. */
  readonly branches: readonly BranchNode[];
  /**
   * Tapes of the store that could not be read (damaged): any branches they are or hold are
   * missing from the tree. `verify` on the store says what is wrong with them.
   */
  readonly unreadable: readonly string[];
}

/**
 * The branches of run `id` and of its branches, as a tree. Throws FORK_NO_PARENT when the store
 * holds no tape `id`, FORK_PARENT_DAMAGED when that tape is damaged.
 */
export async function branchesOf(store: TapeStore, id: string): Promise<BranchTree> {
  const root = await loadTape(store, id, 'run');
  const children = new Map<string, { id: string; fingerprint: string; record: BranchRecord }[]>();
  const fingerprints = new Map<string, string>();
  const unreadable: string[] = [];
  for (const summary of await store.list()) {
    if (!summary.complete) continue;
    fingerprints.set(summary.id, summary.fingerprint);
    let record: BranchRecord | undefined;
    try {
      record = branchRecordOf(await store.load(summary.id));
    } catch (error) {
      if (!TapeError.isInstance(error) || error.code !== 'TAPE_DAMAGED') throw error;
      unreadable.push(summary.id);
      continue;
    }
    if (record === undefined) continue;
    const siblings = children.get(record.parent) ?? [];
    siblings.push({ id: summary.id, fingerprint: summary.fingerprint, record });
    children.set(record.parent, siblings);
  }
  // A branch record names its parent by id; a hand-edited store could make a loop of them.
  const seen = new Set<string>([id]);
  const below = (parent: string): BranchNode[] =>
    (children.get(parent) ?? [])
      .filter((child) => !seen.has(child.id) && seen.add(child.id))
      .map(({ id: child, fingerprint, record }) => ({
        id: child,
        fingerprint,
        at: record.at,
        intervention: record.intervention,
        attached: fingerprints.get(parent) === record.parentFingerprint,
        branches: below(child),
      }));
  return { id, fingerprint: root.fingerprint, branches: below(id), unreadable };
}
