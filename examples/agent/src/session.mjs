// One run of the example: the Anthropic agent, then the OpenAI variant, with every phase, model
// call, tool call and verdict written to the audit log.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { runAgent } from './agent.mjs';
import { runOpenAIAgent } from './openai-agent.mjs';

// The scripted server takes any key; this one is built at run time and never recorded.
const API_KEY = ['demo', 'key', process.pid].join('-');

/**
 * @param {{ server: { anthropicBaseURL: string, openaiBaseURL: string }, fetch: typeof fetch, source: import('@trace/nondet').NondetSource, audit: ReturnType<typeof auditHooks>, iterations: number, maxRetries?: number }} options
 */
export async function runSession({ server, fetch, source, audit, iterations, maxRetries = 2 }) {
  const anthropic = new Anthropic({
    apiKey: API_KEY,
    baseURL: server.anthropicBaseURL,
    fetch,
    maxRetries,
  });
  const openai = new OpenAI({ apiKey: API_KEY, baseURL: server.openaiBaseURL, fetch, maxRetries });
  const plan = await runAgent({ client: anthropic, source, iterations, hooks: audit.hooks });
  const packing = await runOpenAIAgent({ client: openai, source, hooks: audit.hooks });
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
