import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANTHROPIC_MODEL,
  anthropicClient,
  OPENAI_MODEL,
  openaiClient,
  parseSse,
} from './__tests__/test-support.js';
import { startLlmServer } from './server.js';
import { countTokens, splitJson, splitWords } from './text.js';
import type { LlmServer } from './types.js';

/** JSON-safe tool arguments: objects of strings (any Unicode), numbers, booleans and nesting. */
const toolInput = fc.dictionary(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 5 },
) as fc.Arbitrary<Record<string, unknown>>;

const anyText = fc.string({ unit: 'binary', maxLength: 60 });
/** The OpenAI stream helper folds an empty streamed content into null, so replies use some text. */
const someText = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 });
/** What survives JSON: -0 becomes 0, as it does with the real APIs. */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('delta splitting (pure)', () => {
  it('word deltas concatenate back to the text and none is empty', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const pieces = splitWords(text);
        expect(pieces.join('')).toBe(text);
        expect(pieces.every((p) => p.length > 0)).toBe(true);
      }),
    );
  });

  it('JSON pieces concatenate back and never split a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 20 }), (s, size) => {
        const pieces = splitJson(s, size);
        expect(pieces.join('')).toBe(s);
        for (const piece of pieces) {
          expect(Array.from(piece).length).toBeLessThanOrEqual(size);
          if (s.isWellFormed()) expect(piece.isWellFormed()).toBe(true);
        }
      }),
    );
  });

  it('token counts are length / 4 rounded up', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const tokens = countTokens(text);
        expect(tokens * 4).toBeGreaterThanOrEqual(text.length);
        expect((tokens - 1) * 4).toBeLessThan(text.length);
      }),
    );
  });
});

describe('wire round trips through the real SDKs (properties)', () => {
  let server: LlmServer;
  beforeAll(async () => {
    server = await startLlmServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const runs = { numRuns: 25 };
  const anthropicParams = {
    model: ANTHROPIC_MODEL,
    max_tokens: 10,
    messages: [{ role: 'user' as const, content: 'q' }],
  };
  const openaiParams = { model: OPENAI_MODEL, messages: [{ role: 'user' as const, content: 'q' }] };

  it('Anthropic: streamed text and tool input arrive exactly as scripted', async () => {
    const client = anthropicClient(server);
    await fc.assert(
      fc.asyncProperty(anyText, toolInput, async (text, input) => {
        server.enqueue({ text, toolUse: { name: 'tool', input } });
        const message = await client.messages.stream(anthropicParams).finalMessage();
        expect(message.content[0]).toMatchObject({ type: 'text', text });
        expect(message.content[1]).toMatchObject({ type: 'tool_use', name: 'tool' });
        expect((message.content[1] as { input: unknown }).input).toEqual(viaJson(input));
      }),
      runs,
    );
  });

  it('OpenAI: streamed text and tool arguments arrive exactly as scripted', async () => {
    const client = openaiClient(server);
    await fc.assert(
      fc.asyncProperty(someText, toolInput, async (text, input) => {
        server.enqueue({ text, toolUse: { name: 'tool', input } });
        const completion = await client.chat.completions.stream(openaiParams).finalChatCompletion();
        const message = completion.choices[0]?.message;
        expect(message?.content).toBe(text);
        const call = message?.tool_calls?.[0];
        expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(
          viaJson(input),
        );
      }),
      runs,
    );
  });

  it('the default echo reflects the last user text exactly, in both formats', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, async (content) => {
        const messages = [{ role: 'user', content }];
        const a = await fetch(`${server.url}/v1/messages`, {
          method: 'POST',
          body: JSON.stringify({ model: 'm', messages, stream: true }),
        });
        const frames = parseSse(await a.text()).map((f) => JSON.parse(f.data));
        const streamed = frames
          .filter((f) => f.type === 'content_block_delta')
          .map((f) => f.delta.text)
          .join('');
        expect(streamed).toBe(`echo: ${content}`);
        const o = await fetch(`${server.openaiBaseURL}/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: 'm', messages }),
        });
        const completion = (await o.json()) as { choices: [{ message: { content: string } }] };
        expect(completion.choices[0].message.content).toBe(`echo: ${content}`);
      }),
      runs,
    );
  });
});
