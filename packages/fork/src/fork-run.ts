/**
 * `forkRun`: an agent re-run from a recorded parent — the prefix served from the parent and
 * proven step by step, one thing changed at the fork point, the tail run on — into a branch.
 * Each call holds its own state: many forks of one parent run at once in one process.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { type NondetDivergenceError, recording, withGlobals } from '@trace/nondet';
import { type Agent, type AgentContext, SDK_LIBRARIES } from '@trace/run';
import type { JsonValue, TapeEvent } from '@trace/spec';
import { AppendQueue, Tape } from '@trace/tape';
import { type TransportError, withFetch } from '@trace/transport';
import { BRANCH_METADATA_KEY, type Branch, type BranchRecord, branchDigest } from './branch.js';
import { ForkError } from './errors.js';
import { forkDraws, tailSource } from './fork-draws.js';
import { forkFetch, type RequestCounts } from './fork-fetch.js';
import { canonicalIntervention, replacedDraw, replacedExchange } from './intervention.js';
import type { ForkOptions } from './options.js';
import { describePoint, type ForkPlan, loadParent, planFork, pointOf } from './parent.js';
import { openForkStore } from './store.js';

const { version: PACKAGE_VERSION } = createRequire(import.meta.url)('../package.json') as {
  version: string;
};

/** What a fork did. */
export interface ForkReport {
  /** The branch's id. */
  readonly id: string;
  readonly parent: string;
  readonly at: ForkOptions['at'];
  /** Steps served from the parent before the fork point, each proven the parent's. */
  readonly prefix: { readonly exchanges: number; readonly draws: number };
  /** After the fork point: requests sent to the tail fetch, answered from the parent (hybrid), draws made. */
  readonly tail: { readonly live: number; readonly fromParent: number; readonly draws: number };
  /** The branch's fingerprint. */
  readonly fingerprint: string;
}

export interface ForkRun<T> {
  readonly value: T;
  readonly report: ForkReport;
  readonly branch: Branch;
}

/**
 * Forks the parent run at `at`, applies `intervene`, and runs `agent` (the same function
 * `runAgent` takes) against it: served from the parent before the fork point, proven hash for
 * hash, and sent to the tail after. Resolves with what the agent returned, the report and the
 * branch, written to the store. Rejects with FORK_DRIFT — before any tail call — when the agent
 * no longer makes the parent's calls and draws before the fork point; with what the agent threw
 * otherwise (the branch is written either way, as a failed run worth replaying).
 */
export async function forkRun<T>(options: ForkOptions, agent: Agent<T>): Promise<ForkRun<T>> {
  if (typeof options !== 'object' || options === null)
    throw new ForkError(
      'FORK_INVALID_OPTION',
      'forkRun takes an options object: { store, parent, at, intervene }.',
      {
        details: { option: 'options' },
      },
    );
  if (typeof agent !== 'function')
    throw new ForkError(
      'FORK_INVALID_OPTION',
      'forkRun takes the agent, (ctx) => Promise<T>, as its second argument.',
      {
        details: { option: 'agent' },
      },
    );
  if (typeof options.parent !== 'string' || options.parent === '')
    throw new ForkError('FORK_INVALID_OPTION', '`parent` must be the id of the run to fork.', {
      details: { option: 'parent' },
    });
  pointOf(options.at);
  const { store, release } = openForkStore(options);
  try {
    const parent = await loadParent(store, options.parent, options.parentFingerprint);
    const plan = planFork(parent, options.at);
    const id = options.id ?? `${options.parent}.fork-${randomBytes(4).toString('hex')}`;
    if (await store.has(id))
      throw new ForkError(
        'FORK_INVALID_OPTION',
        `The store already holds a tape ${id}: choose another branch id.`,
        {
          details: { option: 'id', id },
        },
      );
    return await runFork(options, plan, id, agent, async (tape) => {
      // On the parent as its base: a store that can keeps the shared prefix once.
      await store.save(tape, { base: options.parent });
    });
  } finally {
    await release();
  }
}

async function runFork<T>(
  options: ForkOptions,
  plan: ForkPlan,
  id: string,
  agent: Agent<T>,
  save: (tape: Tape) => Promise<void>,
): Promise<ForkRun<T>> {
  const { parent, steps, at } = plan;
  const point = pointOf(at);
  const where = describePoint(at);
  const forkDraw = point.kind === 'draw' ? steps.draws[point.index]!.record : undefined;
  const intervention = canonicalIntervention(options.intervene, at, forkDraw);
  const replaced =
    point.kind === 'exchange' && intervention.kind !== 'resample'
      ? replacedExchange(steps.exchanges[point.index]!.event, intervention, where)
      : undefined;

  // Everything the fork does goes into one in-memory tape, in order; it is saved, with the
  // branch record (which needs its fingerprint), once the agent is done.
  const work = Tape.create({ id });
  let appendFailure: unknown;
  const sink = new AppendQueue(work, {}, (_event: TapeEvent, cause: unknown) => {
    appendFailure ??= cause;
    return cause;
  });

  let drift: ForkError | undefined;
  const drifted = (error: ForkError): ForkError => {
    drift ??= error;
    return drift;
  };

  const draws = forkDraws(
    steps.draws.slice(0, plan.prefixDraws).map((d) => d.record),
    point.kind === 'draw'
      ? {
          index: point.index,
          replacement:
            intervention.kind === 'draw' ? replacedDraw(forkDraw!, intervention) : undefined,
        }
      : undefined,
    tailSource(options.tail?.draws),
    (index: number, cause: NondetDivergenceError) =>
      drifted(
        new ForkError(
          'FORK_DRIFT',
          `Fork of ${parent.id} at ${where} drifted at draw ${index}, before the fork point: the agent no longer draws what the parent drew there. ${cause.message}`,
          { cause, details: { step: { draw: index }, parent: parent.id, at, ...cause.details } },
        ),
      ),
  );

  /** Throws the drift when a step of the prefix is still unproven: asked before any tail call. */
  const gate = (position: number): void => {
    if (drift !== undefined) throw drift;
    if (draws.route.made < plan.prefixDraws) {
      const missing = steps.draws[draws.route.made]!.record;
      throw drifted(
        new ForkError(
          'FORK_DRIFT',
          `Fork of ${parent.id} at ${where} drifted at draw ${draws.route.made}: the parent drew ${missing.kind} there before request ${position}, and the agent made the request without it. Nothing was sent to the tail.`,
          {
            details: {
              step: { draw: draws.route.made },
              parent: parent.id,
              at,
              path: 'kind',
              parentKind: missing.kind,
            },
          },
        ),
      );
    }
  };

  const requests = forkFetch({
    parent: steps.exchanges,
    parentFingerprint: parent.fingerprint,
    prefix: plan.prefixExchanges,
    point: point.kind === 'exchange' ? { index: point.index, replaced } : undefined,
    sink,
    match: options.match,
    redact: options.redact,
    tailFetch: options.tail?.fetch,
    hybrid: options.tail?.hybrid === true,
    gate,
    drifted: (position: number, divergence: TransportError | undefined) => {
      const differences =
        (divergence?.details.differences as
          | { path: string; recorded: unknown; live: unknown }[]
          | undefined) ?? [];
      const first = differences[0];
      return drifted(
        new ForkError(
          'FORK_DRIFT',
          `Fork of ${parent.id} at ${where} drifted at exchange ${position}${position < plan.prefixExchanges ? ', before the fork point' : ', the fork point'}: the agent's request is not the parent's${first === undefined ? '' : ` — it differs at ${first.path}: the parent sent ${JSON.stringify(first.recorded)}, the fork ${JSON.stringify(first.live)}`}. Nothing was sent to the tail. Find what changed in the agent (a prompt, a tool), or record the parent again.`,
          {
            cause: divergence,
            details: {
              step: { exchange: position },
              path: first?.path ?? null,
              differences,
              parent: parent.id,
              at,
            },
          },
        ),
      );
    },
  });

  const source = recording(draws.source, {
    onDraw: (draw) => sink.append({ type: 'draw', ...draw }),
  });
  const context: AgentContext = {
    id,
    mode: 'record',
    fetch: requests.fetch,
    source,
    annotate: (data: JsonValue) => sink.append({ type: 'annotation', data }),
  };
  let value: T | undefined;
  let failure: { error: unknown } | undefined;
  try {
    value =
      options.globals === false
        ? await agent(context)
        : await withGlobals(source, () => withFetch(requests.fetch, async () => agent(context)), {
            libraries: options.libraries ?? SDK_LIBRARIES,
          });
  } catch (error) {
    failure = { error };
  }
  await requests.close().catch((error: unknown) => {
    appendFailure ??= error;
  });
  await sink.drained();
  if (drift !== undefined) throw drift;
  const unfinished = unfinishedPrefix(plan, requests, draws.route.made, point);
  if (unfinished !== undefined && failure === undefined) throw drifted(unfinished);
  if (appendFailure !== undefined)
    throw new ForkError(
      'FORK_BRANCH_FAILED',
      `The branch ${id} could not be written: ${(appendFailure as Error).message}`,
      {
        cause: appendFailure,
        details: { id },
      },
    );

  const record: BranchRecord = {
    version: 1,
    parent: parent.id,
    parentFingerprint: parent.fingerprint,
    at,
    intervention,
    digest: branchDigest({
      parentFingerprint: parent.fingerprint,
      at,
      intervention,
      fingerprint: work.fingerprint,
    }),
  };
  const tape = Tape.create({
    id,
    metadata: {
      recorder: { name: '@trace/fork', version: PACKAGE_VERSION },
      boundary: { captured: ['http', 'clock', 'uuid', 'random', 'sources'] },
      user: { ...options.metadata, [BRANCH_METADATA_KEY]: record as unknown as JsonValue },
    },
  });
  for (const event of work.events) tape.append(event, { copyBytes: false });
  try {
    await save(tape);
  } catch (cause) {
    throw new ForkError(
      'FORK_BRANCH_FAILED',
      `The branch ${id} could not be saved: ${(cause as Error).message}`,
      { cause, details: { id } },
    );
  }
  if (failure !== undefined) throw failure.error;
  const branch: Branch = { ...record, id, fingerprint: tape.fingerprint };
  const report: ForkReport = {
    id,
    parent: parent.id,
    at,
    prefix: {
      exchanges: requests.counts.prefixServed,
      draws: Math.min(draws.route.made, plan.prefixDraws),
    },
    tail: {
      live: requests.counts.live,
      fromParent: requests.counts.fromParent,
      draws: Math.max(0, draws.route.made - plan.prefixDraws),
    },
    fingerprint: tape.fingerprint,
  };
  return { value: value as T, report, branch };
}

/** A drift for a prefix the agent did not finish, or a fork point it never reached. */
function unfinishedPrefix(
  plan: ForkPlan,
  requests: { counts: RequestCounts },
  drawsMade: number,
  point: { kind: 'exchange' | 'draw'; index: number },
): ForkError | undefined {
  const where = describePoint(plan.at);
  const fail = (step: Record<string, number>, what: string) =>
    new ForkError(
      'FORK_DRIFT',
      `Fork of ${plan.parent.id} at ${where} drifted: ${what}. Find what changed in the agent, or record the parent again.`,
      {
        details: { step, parent: plan.parent.id, at: plan.at, path: null },
      },
    );
  if (requests.counts.prefixServed < plan.prefixExchanges)
    return fail(
      { exchange: requests.counts.prefixServed },
      `the agent ended without making request ${requests.counts.prefixServed}, which the parent made before the fork point`,
    );
  if (drawsMade < plan.prefixDraws)
    return fail(
      { draw: drawsMade },
      `the agent ended without making draw ${drawsMade}, which the parent made before the fork point`,
    );
  if (point.kind === 'exchange' && !requests.counts.pointReached)
    return fail(
      { exchange: point.index },
      `the agent never made request ${point.index}, the fork point`,
    );
  if (point.kind === 'draw' && drawsMade <= point.index)
    return fail({ draw: point.index }, `the agent never made draw ${point.index}, the fork point`);
  return undefined;
}
