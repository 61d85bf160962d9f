import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { startLlmServer } from '@trace/llm-server';
import { type AgentContext, runAgent } from '@trace/run';
import { openSqliteStore } from '@trace/store-sqlite';
import { fakeCredential } from '@trace/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempDir } from './__tests__/chain.js';
import { blame, estimateBlame, matchesText, perturbations } from './index.js';

const apiKey = fakeCredential('anthropic_key').text;

/** Three turns with the official SDK, the second one streamed; returns the last answer. */
function sdkAgent(baseURL: string) {
  return async ({ fetch }: AgentContext): Promise<string> => {
    const client = new Anthropic({ apiKey, baseURL, fetch, maxRetries: 0 });
    let said = 'Name a colour.';
    for (let turn = 0; turn < 3; turn++) {
      const params = {
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user' as const, content: said }],
      };
      const message =
        turn === 1
          ? await client.messages.stream(params).finalMessage()
          : await client.messages.create(params);
      const block = message.content[0];
      said = block?.type === 'text' ? block.text : '';
    }
    return said;
  };
}

describe('blame with the official Anthropic SDK against the scripted server', () => {
  it('labels exchanges by model, prices them from the recorded usage (JSON and streamed), and drops a message', async () => {
    // The server echoes: "echo: <the user's text>", so each answer carries the one before.
    const server = await startLlmServer();
    onTestFinished(() => server.close());
    const path = join(tempDir(), 'sdk.tape.db');
    const agent = sdkAgent(server.anthropicBaseURL);
    const recorded = await runAgent({ path, id: 'sdk', mode: 'record', env: {} }, agent);
    expect(recorded.value).toBe('echo: echo: echo: Name a colour.');
    const store = openSqliteStore(path);
    onTestFinished(() => store.close());

    const estimate = await estimateBlame({ store, run: 'sdk', trials: 2 });
    expect(estimate.measured).toBe(true);
    expect(estimate.steps.map((s) => s.label)).toEqual([
      'POST /v1/messages (claude-test)',
      'POST /v1/messages (claude-test)',
      'POST /v1/messages (claude-test)',
    ]);
    // The server counts ceil(UTF-16 length / 4) tokens: input is the user text, output the reply.
    const tokens = (text: string) => Math.ceil(text.length / 4);
    const turns = ['Name a colour.', 'echo: Name a colour.', 'echo: echo: Name a colour.'];
    const per = turns.map((t) => tokens(t) + tokens(`echo: ${t}`));
    expect(estimate.steps.map((s) => s.tokens)).toEqual([
      per[0]! + per[1]! + per[2]!,
      per[1]! + per[2]!,
      per[2]!,
    ]);

    const oracle = matchesText(/colour/);
    const resampled = await blame({ store, run: 'sdk', oracle, trials: 2, tail: {} }, agent);
    expect(resampled.spend.tokens).toBe(estimate.tokens);
    expect(resampled.responsible).toEqual([]);

    const dropped = await blame(
      {
        store,
        run: 'sdk',
        oracle,
        trials: 3,
        perturb: perturbations.dropMessage,
        tail: {},
      },
      agent,
    );
    // An empty answer at any turn loses the colour from every later echo.
    expect(dropped.steps.map((s) => [s.perturbation, s.flips, s.valid])).toEqual([
      ['drop-message', 3, 3],
      ['drop-message', 3, 3],
      ['drop-message', 3, 3],
    ]);
    // A dropped answer is not a call: the tails after exchanges 0, 1, 2 make 2, 1, 0.
    expect(dropped.spend.calls).toBe(3 * 3);
  });
});
