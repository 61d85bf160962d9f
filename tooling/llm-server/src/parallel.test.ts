import { afterEach, describe, expect, it } from 'vitest';
import {
  ANTHROPIC_MODEL,
  anthropicClient,
  OPENAI_MODEL,
  openaiClient,
} from './__tests__/test-support.js';
import { startLlmServer } from './server.js';
import type { LlmServer, ReceivedRequest } from './types.js';

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
});

/** The number a request carries in its user message, e.g. `request 7` gives 7. */
function numberOf(request: ReceivedRequest): number {
  const match = /request (\d+)/.exec(request.body);
  if (match?.[1] === undefined) throw new Error(`no request number in ${request.body}`);
  return Number(match[1]);
}

describe('parallel requests', () => {
  it('answers 50 concurrent SDK calls, each with its own reply, out of order', async () => {
    const count = 50;
    // Earlier requests wait longer, so replies complete roughly in reverse order of sending.
    server = await startLlmServer({
      respond: (request) => {
        const n = numberOf(request);
        return { text: `reply to request ${n}`, delayMs: (count - n) * 10 };
      },
    });
    const anthropic = anthropicClient(server);
    const openai = openaiClient(server);
    const completionOrder: number[] = [];
    const calls = Array.from({ length: count }, async (_, n) => {
      const content = `request ${n}`;
      let text: string | null | undefined;
      if (n % 2 === 0) {
        const message = await anthropic.messages.create({
          model: ANTHROPIC_MODEL,
          max_tokens: 10,
          messages: [{ role: 'user', content }],
        });
        const block = message.content[0];
        text = block?.type === 'text' ? block.text : undefined;
      } else {
        const completion = await openai.chat.completions.create({
          model: OPENAI_MODEL,
          messages: [{ role: 'user', content }],
        });
        text = completion.choices[0]?.message.content;
      }
      completionOrder.push(n);
      return text;
    });
    const texts = await Promise.all(calls);

    expect(texts).toEqual(Array.from({ length: count }, (_, n) => `reply to request ${n}`));
    expect(server.requests).toHaveLength(count);
    expect(new Set(server.requests.map(numberOf)).size).toBe(count);
    expect(server.requests.map((r) => r.index)).toEqual([...Array(count).keys()]);
    // Completion order differs from the order the calls were made in.
    expect(completionOrder).not.toEqual([...Array(count).keys()]);
    expect(completionOrder[0]).toBeGreaterThan(completionOrder.at(-1) ?? count);
  });
});
