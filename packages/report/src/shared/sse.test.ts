import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSse, reassembleAnthropic, reassembleOpenAI, reassembleStream } from './sse.js';

/** Server-sent events as a server writes them, with the line ending given. */
function frame(events: { event?: string; data: string }[], eol = '\n'): string {
  return events
    .map(
      (e) =>
        `${e.event === undefined ? '' : `event: ${e.event}${eol}`}${e.data
          .split('\n')
          .map((line) => `data: ${line}${eol}`)
          .join('')}${eol}`,
    )
    .join('');
}

describe('parseSse', () => {
  it('reads events, names, multi-line data and comments as the specification frames them', () => {
    const text = ': keep-alive\n\nevent: a\ndata: 1\ndata: 2\n\ndata:no-space\n\nevent: empty\n\n';
    expect(parseSse(text)).toEqual([{ event: 'a', data: '1\n2' }, { data: 'no-space' }]);
  });

  it('gives back what was framed, whatever the line endings (property)', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '{', '"', ':', 'é') });
    const event = fc.record(
      {
        event: fc.stringMatching(/^[a-z_]{1,12}$/),
        data: fc.array(line, { minLength: 1, maxLength: 3 }).map((l) => l.join('\n')),
      },
      { requiredKeys: ['data'] },
    );
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (events, eol) => {
          expect(parseSse(frame(events, eol))).toEqual(events);
        },
      ),
    );
  });
});

describe('reassembling an Anthropic stream', () => {
  const stream = (texts: string[], jsonParts: string[]) =>
    parseSse(
      frame([
        {
          event: 'message_start',
          data: JSON.stringify({
            type: 'message_start',
            message: {
              id: 'msg_1',
              role: 'assistant',
              model: 'm',
              content: [],
              usage: { input_tokens: 9, output_tokens: 1 },
            },
          }),
        },
        {
          event: 'content_block_start',
          data: JSON.stringify({
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'text', text: '' },
          }),
        },
        ...texts.map((text) => ({
          event: 'content_block_delta',
          data: JSON.stringify({
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text },
          }),
        })),
        { event: 'content_block_stop', data: '{"type":"content_block_stop","index":0}' },
        {
          event: 'content_block_start',
          data: JSON.stringify({
            type: 'content_block_start',
            index: 1,
            content_block: { type: 'tool_use', id: 'tu_1', name: 'get_weather', input: {} },
          }),
        },
        ...jsonParts.map((partial_json) => ({
          event: 'content_block_delta',
          data: JSON.stringify({
            type: 'content_block_delta',
            index: 1,
            delta: { type: 'input_json_delta', partial_json },
          }),
        })),
        {
          event: 'message_delta',
          data: JSON.stringify({
            type: 'message_delta',
            delta: { stop_reason: 'tool_use' },
            usage: { output_tokens: 42 },
          }),
        },
        { event: 'message_stop', data: '{"type":"message_stop"}' },
      ]),
    );

  it('is the message: text joined, tool input parsed, stop reason and usage from message_delta (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { maxLength: 10 }),
        fc.dictionary(fc.string(), fc.integer()),
        fc.integer({ min: 1, max: 5 }),
        (texts, input, pieces) => {
          const json = JSON.stringify(input);
          const size = Math.ceil(json.length / pieces);
          const parts = Array.from({ length: pieces }, (_, i) =>
            json.slice(i * size, (i + 1) * size),
          );
          const message = reassembleAnthropic(stream(texts, parts))!;
          expect(message.content).toEqual([
            { type: 'text', text: texts.join('') },
            { type: 'tool_use', id: 'tu_1', name: 'get_weather', input },
          ]);
          expect(message.stop_reason).toBe('tool_use');
          expect(message.usage).toEqual({ input_tokens: 9, output_tokens: 42 });
        },
      ),
    );
  });

  it('keeps tool input that does not parse as its text, and refuses what is no such stream', () => {
    const message = reassembleAnthropic(stream(['x'], ['{"city": "Os']))!;
    expect((message.content as { input?: unknown }[])[1]!.input).toBe('{"city": "Os');
    expect(reassembleAnthropic(parseSse('data: {"type":"ping"}\n\n'))).toBeUndefined();
    expect(reassembleStream('not a stream')).toBeUndefined();
  });
});

describe('reassembling an OpenAI stream', () => {
  it('is the chat.completion: content and tool-call arguments joined, finish reason, usage (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { maxLength: 8 }),
        fc.array(fc.string(), { minLength: 1, maxLength: 5 }),
        (contents, args) => {
          const chunk = (delta: object, extra: object = {}) => ({
            data: JSON.stringify({
              id: 'c1',
              object: 'chat.completion.chunk',
              created: 1,
              model: 'gpt',
              choices: [{ index: 0, delta, finish_reason: null, ...extra }],
            }),
          });
          const events = [
            chunk({ role: 'assistant', content: '' }),
            ...contents.map((content) => chunk({ content })),
            chunk({
              tool_calls: [
                {
                  index: 0,
                  id: 'call_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '' },
                },
              ],
            }),
            ...args.map((a) => chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
            chunk({}, { finish_reason: 'tool_calls' }),
            {
              data: JSON.stringify({
                id: 'c1',
                object: 'chat.completion.chunk',
                created: 1,
                model: 'gpt',
                choices: [],
                usage: { prompt_tokens: 3, completion_tokens: 4 },
              }),
            },
            { data: '[DONE]' },
          ];
          const completion = reassembleStream(frame(events))!;
          expect(completion.object).toBe('chat.completion');
          expect(completion.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4 });
          expect(completion.choices).toEqual([
            {
              index: 0,
              finish_reason: 'tool_calls',
              message: {
                role: 'assistant',
                content: contents.join(''),
                tool_calls: [
                  {
                    id: 'call_1',
                    type: 'function',
                    function: { name: 'get_weather', arguments: args.join('') },
                  },
                ],
              },
            },
          ]);
        },
      ),
    );
  });

  it('is undefined for events that are no chat.completion.chunk', () => {
    expect(
      reassembleOpenAI(parseSse('data: {"object":"other"}\n\ndata: [DONE]\n\n')),
    ).toBeUndefined();
  });
});
