/**
 * `blame`: which step of a recorded run made its outcome what it was, measured by forking. For
 * each step, k trials fork the run there with a perturbation and run the agent on; a trial FLIPs
 * when the oracle's verdict on its value differs from the recorded run's. Steps are then ranked
 * by flip rate, with intervals, exact tests and Benjamini–Hochberg across steps.
 */
import { randomBytes } from 'node:crypto';
import type { Agent } from '@trace/run';
import { Governor } from './budget.js';
import { invalidOption } from './errors.js';
import { checkBudget, plannedEstimate } from './estimate.js';
import { runLooks } from './looks.js';
import { type BlameOptions, settingsOf } from './options.js';
import { oracleDescription } from './oracle.js';
import { type BlameResult, type Design, summarize } from './result.js';
import { openBlameStore, parentOutcome } from './run-source.js';
import { checkBlameSlot, saveBlame } from './storage.js';
import type { TrialSetup } from './trial.js';

/**
 * Blames the recorded run `options.run`: which of its steps the oracle's verdict depends on.
 * Refuses up front (BLAME_OVER_BUDGET) when the estimate exceeds the budget; stops cleanly,
 * `partial: true`, when the spend reaches it. Stores the result beside the run unless
 * `save: false`.
 */
export async function blame<T>(options: BlameOptions<T>, agent: Agent<T>): Promise<BlameResult> {
  const settings = settingsOf(options as BlameOptions<never>);
  if (typeof agent !== 'function')
    throw invalidOption(
      'agent',
      'blame takes the agent, (ctx) => Promise<T>, as its second argument.',
    );
  if (typeof options.oracle !== 'function')
    throw invalidOption(
      'oracle',
      "`oracle` is a function of the agent's value returning true or false: see matchesText, jsonPathEquals.",
    );
  if (
    typeof options.tail !== 'function' &&
    (typeof options.tail !== 'object' || options.tail === null)
  )
    throw invalidOption(
      'tail',
      "`tail` says where each trial's tail goes: { fetch, draws }, or a function of the trial returning that.",
    );
  const { store, release } = openBlameStore(options);
  try {
    const { planned, estimate, fingerprint } = await plannedEstimate(store, options, settings);
    checkBudget(options.run, estimate, settings, planned.length);
    if (options.save !== false) await checkBlameSlot(store, options.run);
    const judgeErrors = options.judgeErrors === true;
    const parent = await parentOutcome(store, options.run, agent, options.oracle, judgeErrors);
    const governor = new Governor(settings.budget, settings.prices !== undefined);
    const setup: TrialSetup<T> = {
      store,
      run: options.run,
      runFingerprint: fingerprint,
      parentOutcome: parent,
      oracle: options.oracle,
      agent,
      tail: options.tail,
      governor,
      prices: settings.prices,
      judgeErrors,
      keepBranches: options.keepBranches === true,
      hybridDraws: options.hybridDraws === true,
      branchPrefix: `${options.run.slice(0, 160)}.blame-${randomBytes(4).toString('hex')}-`,
    };
    const design: Design = {
      k: settings.trials,
      adaptive: settings.extraTrials > 0,
      method: settings.method,
      confidence: settings.confidence,
      nullRate: settings.nullRate,
      q: settings.q,
    };

    const { looks, branches } = await runLooks(setup, planned, design, {
      run: options.run,
      extraTrials: settings.extraTrials,
      concurrency: settings.concurrency,
      onProgress: options.onProgress,
    });

    const { steps, responsible, ranking } = summarize(
      planned.map((step, index) => ({
        info: step.info,
        perturbation: step.perturbation.name,
        looks: looks[index]!,
      })),
      design,
    );
    const spend = governor.total;
    const result: BlameResult = {
      version: 1,
      run: options.run,
      runFingerprint: fingerprint,
      oracle: oracleDescription(options.oracle as never),
      parentOutcome: parent,
      method: settings.method,
      confidence: settings.confidence,
      nullRate: settings.nullRate,
      q: settings.q,
      trials: settings.trials,
      extraTrials: settings.extraTrials,
      steps,
      responsible,
      ranking,
      spend: {
        calls: spend.calls,
        tokens: spend.tokens,
        ...(spend.usd === undefined ? {} : { usd: spend.usd }),
      },
      estimate: {
        calls: estimate.calls,
        tokens: estimate.tokens,
        ...(estimate.usd === undefined ? {} : { usd: estimate.usd }),
      },
      partial: steps.some((s) => s.reasons.cut > 0) || governor.stopped !== undefined,
      ...(governor.stopped === undefined ? {} : { stopped: governor.stopped }),
      branches,
      createdAt: new Date().toISOString(),
    };
    if (options.save !== false) await saveBlame(store, result);
    return result;
  } finally {
    await release();
  }
}
