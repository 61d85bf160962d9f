// One run of the example — the Anthropic agent, then the OpenAI variant — as a function of its
// run's context: both SDK clients on the run's `fetch`, every nondeterministic value from its
// `source`, each verdict annotated into the tape beside the model calls that led to it. This is
// the replayable core the demo records and replays with @trace/run, and its benchmark times.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { planTrip } from './agent.mjs';
import { runOpenAIAgent } from './openai-agent.mjs';

// The scripted server takes any key; this one is built at run time and never recorded.
const API_KEY = ['demo', 'key', process.pid].join('-');

/**
 * @param {object} options
 * @param {{ anthropicBaseURL: string, openaiBaseURL: string }} options.server
 * @param {Pick<import('@trace/run').AgentContext, 'fetch' | 'source' | 'annotate'>} options.context
 * @param {ReturnType<typeof auditHooks>} options.audit  where the phases, calls and verdicts go
 * @param {number} options.iterations
 * @param {number} [options.maxRetries]
 */
export async function runSession({ server, context, audit, iterations, maxRetries = 2 }) {
  const { fetch, source, annotate } = context;
  const anthropic = new Anthropic({
    apiKey: API_KEY,
    baseURL: server.anthropicBaseURL,
    fetch,
    maxRetries,
  });
  const openai = new OpenAI({ apiKey: API_KEY, baseURL: server.openaiBaseURL, fetch, maxRetries });
  const hooks = {
    ...audit.hooks,
    // A reader of the tape sees which calls each verdict closed.
    verdict: (event) => {
      annotate({ verdict: event.verdict, iteration: event.iteration, reason: event.reason });
      audit.hooks.verdict(event);
    },
  };
  const plan = await planTrip({ client: anthropic, source, iterations, hooks });
  const packing = await runOpenAIAgent({ client: openai, source, hooks });
  await audit.flush();
  return { plan, packing };
}

/** The audit log's clock: the time of the entry being written, drawn by the hooks below. */
export function auditClock() {
  let ms = 0;
  return { now: () => ms, set: (value) => (ms = value) };
}

/**
 * Hooks that write the agent's events to an audit log. Each entry's time is drawn from the run's
 * nondeterminism source just before it is written (the log reads its clock as the append is
 * made), so a replayed run writes the very same audit log — entries and hashes — as the recorded one.
 */
export function auditHooks(log, session, source, clock) {
  const pending = [];
  const write = (append) => {
    clock.set(source.now());
    pending.push(append());
  };
  const hooks = {
    phase: (event) => write(() => log.phase(event, { session })),
    verdict: (event) => write(() => log.verdict(event, { session })),
    sampling: ({ iteration, purpose, model, outputBytes, inputTokens, outputTokens, context }) =>
      write(() =>
        log.sampling(
          {
            purpose,
            status: 'used',
            backend: model.startsWith('gpt') ? 'openai' : 'anthropic',
            modelId: model,
            outputBytes,
            ...(inputTokens === undefined ? {} : { inputTokens }),
            ...(outputTokens === undefined ? {} : { outputTokens }),
            ...(iteration === undefined ? { context } : { iteration }),
          },
          { session },
        ),
      ),
    toolCall: ({ iteration, tool, durationMs }) =>
      write(() =>
        log.toolCall(
          {
            tool,
            status: 'ok',
            durationMs,
            fromScript: false,
            ...(iteration === undefined ? {} : { iteration }),
          },
          { session },
        ),
      ),
  };
  return {
    hooks,
    async flush() {
      await Promise.all(pending.splice(0));
    },
  };
}

/**
 * Hooks that write nothing but draw as the real ones do (one clock reading per entry), for runs
 * whose audit log is not the point: the negative control and the benchmark.
 */
export function silentAudit(source) {
  const draw = () => {
    source.now();
  };
  return {
    hooks: { phase: draw, verdict: draw, sampling: draw, toolCall: draw },
    flush: async () => {},
  };
}
