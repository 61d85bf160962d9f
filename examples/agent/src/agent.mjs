// A small tool-using agent written with the official Anthropic SDK. Each iteration plans one day:
//   propose  — ask the model (streamed on odd iterations, not on even ones), which calls a tool
//   execute  — run the tool the model asked for
//   observe  — give the model the tool's result and read its plan
//   evaluate — check the plan names the city
//   decide   — accept the plan, or ask for a revision
// Everything nondeterministic it reads — the run id, the clock, its random choice of city, the
// tool's live output — is drawn from `source`, and those values flow into its requests: a replay
// that draws different values sends different requests and diverges.
import { getWeather, WEATHER_TOOL } from './tools.mjs';

export const CITIES = ['Lisbon', 'Oslo', 'Kyoto', 'Lima', 'Cairo', 'Quebec'];
export const MODEL = 'claude-trace-demo';

/**
 * @param {object} options
 * @param {import('@anthropic-ai/sdk').default} options.client
 * @param {import('@trace/nondet').NondetSource} options.source
 * @param {number} options.iterations
 * @param {AgentHooks} options.hooks  where the loop reports its phases, calls and verdicts
 */
export async function planTrip({ client, source, iterations, hooks }) {
  const runId = source.uuidV4();
  const startedAt = source.iso();
  const system = `You plan trips, one day at a time. Run ${runId}, started ${startedAt}.`;
  const days = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    const city = CITIES[source.int(0, CITIES.length - 1)];
    const stream = iteration % 2 === 1;
    const messages = [{ role: 'user', content: `Iteration ${iteration}: plan a day in ${city}.` }];

    const proposal = await phase(hooks, source, iteration, 'propose', () =>
      ask(client, hooks, { system, messages, stream, iteration, purpose: 'propose' }),
    );
    const toolUse = proposal.content.find((block) => block.type === 'tool_use');

    const weather = await phase(hooks, source, iteration, 'execute', () => {
      const started = source.monotonic();
      const result = getWeather(source, toolUse?.input.city ?? city);
      hooks.toolCall({
        iteration,
        tool: WEATHER_TOOL.name,
        input: toolUse?.input ?? { city },
        output: result,
        durationMs: source.monotonic() - started,
      });
      return result;
    });

    const plan = await phase(hooks, source, iteration, 'observe', async () => {
      const followUp = [
        ...messages,
        { role: 'assistant', content: proposal.content },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: toolUse?.id ?? 'none',
              content: JSON.stringify(weather),
            },
          ],
        },
      ];
      const answer = await ask(client, hooks, {
        system,
        messages: followUp,
        stream,
        iteration,
        purpose: 'observe',
      });
      return answer.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text)
        .join('');
    });

    const accepted = await phase(hooks, source, iteration, 'evaluate', () => plan.includes(city));
    const verdict = await phase(hooks, source, iteration, 'decide', () =>
      accepted
        ? { iteration, verdict: 'accept', reason: `the plan covers ${city}` }
        : {
            iteration,
            verdict: 'revise',
            reason: `the plan does not mention ${city}`,
            rationale: 'ask again naming the city',
          },
    );
    // The verdict closes the iteration, so it is logged after the decide phase itself.
    hooks.verdict(verdict);
    days.push({ iteration, city, weather, plan, accepted });
  }
  return { runId, startedAt, days };
}

/** One model call, streamed or not, reported as a sampling event. */
async function ask(client, hooks, { system, messages, stream, iteration, purpose }) {
  const params = { model: MODEL, max_tokens: 256, system, tools: [WEATHER_TOOL], messages };
  const message = stream
    ? await client.messages.stream(params).finalMessage()
    : await client.messages.create(params);
  hooks.sampling({
    iteration,
    purpose,
    model: message.model,
    outputBytes: Buffer.byteLength(JSON.stringify(message.content)),
    inputTokens: message.usage.input_tokens,
    outputTokens: message.usage.output_tokens,
    streamed: stream,
  });
  return message;
}

/** Runs one phase, timed from the source, and reports it succeeded or failed. */
async function phase(hooks, source, iteration, name, body) {
  const startedAt = source.iso();
  try {
    const value = await body();
    hooks.phase({ iteration, phase: name, status: 'succeeded', startedAt, endedAt: source.iso() });
    return value;
  } catch (error) {
    hooks.phase({
      iteration,
      phase: name,
      status: 'failed',
      startedAt,
      endedAt: source.iso(),
      error: String(error?.message ?? error),
    });
    throw error;
  }
}

/**
 * @typedef {object} AgentHooks
 * @property {(e: object) => void} phase
 * @property {(e: object) => void} verdict
 * @property {(e: object) => void} sampling
 * @property {(e: object) => void} toolCall
 */
