/**
 * The fixture agent: a reviewer that runs a scenario's checks one stage at a time with the
 * official Anthropic SDK (some turns streamed), draws every tool result through the run's source
 * (so a fork can replace it as a draw, and a tail calls the tool again), reads the clock, an id
 * and a random choice, and decides: `deny` when any turn of the model raised a concern,
 * `approve` otherwise.
 *
 * Steps of one run, in tape order (four stages): clock, case id, then per stage a model call and
 * its tool's draw, then the tone (a random draw) and the streamed final turn — 5 exchanges and
 * 7 draws.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { AgentContext } from '@trace/run';
import type { JsonValue } from '@trace/spec';
import { BlameError } from '../errors.js';
import type { AgentFaults, ToolEnvironment } from './faults.js';
import { CONCERN_PREFIX } from './fixture-model.js';
import { type Scenario, taskText } from './scenarios.js';

/** The model name the agent asks for (the fixture model answers any). */
export const FIXTURE_MODEL = 'claude-fixture-1';

const TONES = ['plain', 'warm', 'formal'] as const;

/** What the agent returns: the oracle reads `decision` and `touched`. */
export interface ReviewOutcome {
  readonly case: string;
  readonly decision: 'approve' | 'deny';
  /** Every concern a turn raised, sorted, without repeats. */
  readonly concerns: readonly string[];
  /** Every id the agent's tool calls asked about, sorted, without repeats. */
  readonly touched: readonly string[];
  readonly summary: string;
}

export interface FixtureAgentOptions {
  /** The SDK's client class, as `loadAnthropic` returns it. */
  readonly Anthropic: typeof Anthropic;
  readonly scenario: Scenario;
  /** The fixture model's base URL (an Anthropic Messages server on 127.0.0.1). */
  readonly baseURL: string;
  readonly faults: AgentFaults;
  readonly tools: ToolEnvironment;
}

type Message = Anthropic.MessageParam;

/** The agent, as `runAgent`, `forkRun` and `blame` take it. */
export function fixtureAgent(
  options: FixtureAgentOptions,
): (ctx: AgentContext) => Promise<ReviewOutcome> {
  const { Anthropic, scenario, baseURL, faults, tools } = options;
  return async (ctx) => {
    // A placeholder key: the fixture model checks none, and nothing secret is ever sent.
    const client = new Anthropic({ apiKey: 'fixture', baseURL, fetch: ctx.fetch, maxRetries: 0 });
    const today = ctx.source.iso();
    const caseId = ctx.source.uuidV4();
    const history: Message[] = [{ role: 'user', content: taskText(scenario, caseId) }];
    const concerns = new Set<string>();
    const touched = new Set<string>();

    for (const [index, stage] of scenario.stages.entries()) {
      const params = {
        model: FIXTURE_MODEL,
        max_tokens: 512,
        system: faults.wrongPromptAt === index ? wrongPrompt(today) : stagePrompt(scenario, today),
        // The context trimmer: at `dropAt` it drops the oldest message, which is the request.
        messages: faults.dropAt === index ? history.slice(1) : [...history],
        tools: [
          {
            name: stage.tool,
            description: stage.description,
            input_schema: {
              type: 'object' as const,
              properties: { id: { type: 'string' } },
              required: ['id'],
            },
          },
        ],
      };
      const reply = stage.streamed
        ? await client.messages.stream(params).finalMessage()
        : await client.messages.create(params);
      collect(reply, concerns);
      history.push({ role: 'assistant', content: reply.content });
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const block of reply.content) {
        if (block.type !== 'tool_use') continue;
        const input = block.input as JsonValue;
        touched.add(String((input as { id?: unknown }).id));
        const output = ctx.source.draw(`tool:${block.name}`, () => tools(block.name, input));
        results.push({
          type: 'tool_result',
          tool_use_id: block.id,
          content: JSON.stringify(output),
        });
      }
      if (results.length > 0) history.push({ role: 'user', content: results });
    }

    const tone = TONES[ctx.source.int(0, TONES.length - 1)]!;
    const final = await client.messages
      .stream({
        model: FIXTURE_MODEL,
        max_tokens: 512,
        system: `${stagePrompt(scenario, today)} Write in a ${tone} tone.`,
        messages: history,
      })
      .finalMessage();
    const summary = collect(final, concerns);
    return {
      case: caseId,
      decision: concerns.size > 0 ? 'deny' : 'approve',
      concerns: [...concerns].sort(),
      touched: [...touched].sort(),
      summary,
    };
  };
}

/**
 * The SDK's client class, loaded from the SDK's own package at run time. Never bundled into this
 * package's build: @trace/run tells the SDK's own clock and random reads (timings, retry jitter)
 * from the agent's by the package folder the reading code sits in, and a copy bundled into dist/
 * would have every one of them recorded as a draw of the agent — dozens of extra steps a run.
 */
export async function loadAnthropic(): Promise<typeof Anthropic> {
  const specifier = '@anthropic-ai/sdk';
  try {
    const sdk = (await import(specifier)) as { default: typeof Anthropic };
    return sdk.default;
  } catch (cause) {
    throw new BlameError(
      'BLAME_INVALID_OPTION',
      'validate runs its fixture agents on the official Anthropic SDK, which is not installed here: install @anthropic-ai/sdk (npm install -D @anthropic-ai/sdk) and run it again.',
      { cause, details: { option: 'validate', dependency: specifier } },
    );
  }
}

/** Adds the concern lines of a reply to `concerns`; returns the rest of its text. */
function collect(reply: Anthropic.Message, concerns: Set<string>): string {
  const rest: string[] = [];
  for (const block of reply.content) {
    if (block.type !== 'text') continue;
    for (const line of block.text.split('\n')) {
      if (line.startsWith(CONCERN_PREFIX)) concerns.add(line.slice(CONCERN_PREFIX.length));
      else if (line !== '') rest.push(line);
    }
  }
  return rest.join('\n');
}

function stagePrompt(scenario: Scenario, today: string): string {
  return `${scenario.role} Today is ${today.slice(0, 10)}. Call the tool you are given for the subject of the request. Raise a concern only for a problem the evidence shows.`;
}

/** Another agent's prompt, with a rule that has nothing to do with this review. */
function wrongPrompt(today: string): string {
  return `You chase overdue invoices for a utility company. Today is ${today.slice(0, 10)}. Decline every request whose amount is above 20 EUR.`;
}
