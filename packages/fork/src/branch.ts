/**
 * What a fork leaves behind: a branch, an ordinary tape in the parent's store, whose `user`
 * metadata (outside its fingerprint) names its parent, the parent's fingerprint, the fork point
 * and the intervention, with a digest that binds them to the branch's own fingerprint.
 */
import { canonicalJson, type JsonObject, sha256Hex } from '@trace/spec';
import { type Tape, TapeError, type TapeStore } from '@trace/tape';
import { ForkError } from './errors.js';
import type { ForkPoint } from './options.js';
import { type ForkPlan, planFork, stepsOf } from './parent.js';

/** The key of the branch record in a tape's `user` metadata. */
export const BRANCH_METADATA_KEY = '@trace/fork';

/** A branch's record of where it came from, as kept in its metadata. */
export interface BranchRecord {
  readonly version: 1;
  readonly parent: string;
  readonly parentFingerprint: string;
  readonly at: ForkPoint;
  /** The intervention in its canonical JSON form. */
  readonly intervention: JsonObject;
  /** SHA-256 over the parent fingerprint, the fork point, the intervention and the branch fingerprint. */
  readonly digest: string;
}

/** A branch as `forkRun` returns it. */
export interface Branch extends BranchRecord {
  readonly id: string;
  readonly fingerprint: string;
}

/** The digest that binds a branch to its parent: `sha256(canonical JSON of the four, with a domain tag)`. */
export function branchDigest(parts: {
  readonly parentFingerprint: string;
  readonly at: ForkPoint;
  readonly intervention: JsonObject;
  readonly fingerprint: string;
}): string {
  return sha256Hex(
    canonicalJson({
      domain: '@trace/fork branch v1',
      parentFingerprint: parts.parentFingerprint,
      at: parts.at as unknown as JsonObject,
      intervention: parts.intervention,
      fingerprint: parts.fingerprint,
    }),
  );
}

/** The branch record in a tape's metadata, or undefined when it is not a branch. */
export function branchRecordOf(tape: Tape): BranchRecord | undefined {
  const record = tape.metadata.user?.[BRANCH_METADATA_KEY];
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const r = record as Record<string, unknown>;
  if (
    r.version !== 1 ||
    typeof r.parent !== 'string' ||
    typeof r.parentFingerprint !== 'string' ||
    typeof r.digest !== 'string'
  )
    return undefined;
  return record as unknown as BranchRecord;
}

/** Loads a tape, proven, mapping a missing or damaged one to a ForkError. */
export async function loadTape(store: TapeStore, id: string, role: string): Promise<Tape> {
  if (!(await store.has(id)))
    throw new ForkError('FORK_NO_PARENT', `The store ${store.location} holds no ${role} ${id}.`, {
      details: { id, role },
    });
  try {
    return await store.load(id);
  } catch (cause) {
    if (TapeError.isInstance(cause) && cause.code === 'TAPE_DAMAGED')
      throw new ForkError('FORK_PARENT_DAMAGED', `The ${role} ${id} is damaged: ${cause.message}`, {
        cause,
        details: { id, role },
      });
    throw cause;
  }
}

/**
 * Loads a branch, proven, with its record; throws FORK_NOT_A_BRANCH, saying what to do instead,
 * for a tape whose metadata names no parent.
 */
export async function loadBranch(
  store: TapeStore,
  id: string,
  purpose: 'verify' | 'diff',
): Promise<{ branch: Tape; record: BranchRecord }> {
  const branch = await loadTape(store, id, 'branch');
  const record = branchRecordOf(branch);
  if (record === undefined)
    throw new ForkError(
      'FORK_NOT_A_BRANCH',
      `Tape ${id} is not a branch: its metadata names no parent${purpose === 'verify' ? ". Verify it with the store's verify instead." : ' to diff it against.'}`,
      { details: { id } },
    );
  return { branch, record };
}

export interface BranchVerification {
  readonly id: string;
  readonly parent: string;
  /** True when every check held. */
  readonly ok: boolean;
  /** What did not hold, one line each. */
  readonly problems: readonly string[];
}

/**
 * Checks a branch: its fingerprint proven from the store, its parent present with the recorded
 * fingerprint, its digest recomputed, and its prefix — every exchange and draw before the fork
 * point — the parent's, event for event. Throws FORK_NOT_A_BRANCH for a tape that is not one.
 */
export async function verifyBranch(store: TapeStore, id: string): Promise<BranchVerification> {
  const { branch, record } = await loadBranch(store, id, 'verify');
  const problems: string[] = [];
  const digest = branchDigest({ ...record, fingerprint: branch.fingerprint });
  if (digest !== record.digest)
    problems.push(
      `the digest ${record.digest} does not bind this branch (recomputed ${digest}): its fingerprint, fork point, intervention or parent fingerprint changed`,
    );
  let parent: Tape | undefined;
  try {
    parent = await loadTape(store, record.parent, 'parent');
  } catch (error) {
    problems.push(`the parent ${record.parent} cannot be read: ${(error as Error).message}`);
  }
  if (parent !== undefined) {
    if (parent.fingerprint !== record.parentFingerprint)
      problems.push(
        `the parent ${record.parent} has fingerprint ${parent.fingerprint}, not the recorded ${record.parentFingerprint}`,
      );
    else problems.push(...prefixProblems(parent, branch, record.at));
  }
  return { id, parent: record.parent, ok: problems.length === 0, problems };
}

/** Where the branch's prefix is not the parent's: the steps the fork served from the parent. */
function prefixProblems(parent: Tape, branch: Tape, at: ForkPoint): string[] {
  let plan: ForkPlan;
  try {
    plan = planFork(parent, at);
  } catch (error) {
    return [`the fork point is not a step of the parent: ${(error as Error).message}`];
  }
  const p = plan.steps;
  const b = stepsOf(branch.events);
  const problems: string[] = [];
  for (let i = 0; i < plan.prefixExchanges; i++) {
    const a = p.exchanges[i];
    const c = b.exchanges[i];
    if (
      a === undefined ||
      c === undefined ||
      canonicalJson(plain(a.event)) !== canonicalJson(plain(c.event))
    )
      problems.push(`exchange ${i} of the prefix is not the parent's`);
  }
  for (let i = 0; i < plan.prefixDraws; i++) {
    const a = p.draws[i];
    const c = b.draws[i];
    if (a === undefined || c === undefined || canonicalJson(a.record) !== canonicalJson(c.record))
      problems.push(`draw ${i} of the prefix is not the parent's`);
  }
  return problems;
}

/** An event as plain JSON for comparing: bytes as base64. */
export function plain(value: unknown): JsonObject {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Uint8Array ? { base64: Buffer.from(v).toString('base64') } : v,
    ),
  ) as JsonObject;
}
