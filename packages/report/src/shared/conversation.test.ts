import { describe, expect, it } from 'vitest';
import { conversationOf } from './conversation.js';

describe('an Anthropic exchange as a conversation', () => {
  it('reads the system prompt, user text, tool use, tool result and the answer', () => {
    const request = {
      model: 'claude',
      system: [{ type: 'text', text: 'You plan trips.' }],
      messages: [
        { role: 'user', content: 'Plan a day in Oslo.' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'tu_1', name: 'get_weather', input: { city: 'Oslo' } }],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'tu_1',
              content: [{ type: 'text', text: '{"tempC":3}' }],
            },
          ],
        },
      ],
    };
    const response = {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Museums.' },
        { type: 'image', source: {} },
      ],
    };
    expect(conversationOf('anthropic', request, response)).toEqual([
      { role: 'system', answer: false, parts: [{ kind: 'text', text: 'You plan trips.' }] },
      { role: 'user', answer: false, parts: [{ kind: 'text', text: 'Plan a day in Oslo.' }] },
      {
        role: 'assistant',
        answer: false,
        parts: [{ kind: 'tool_use', id: 'tu_1', name: 'get_weather', input: { city: 'Oslo' } }],
      },
      {
        role: 'user',
        answer: false,
        parts: [{ kind: 'tool_result', id: 'tu_1', content: '{"tempC":3}', isError: false }],
      },
      {
        role: 'assistant',
        answer: true,
        parts: [
          { kind: 'text', text: 'Museums.' },
          { kind: 'other', value: { type: 'image', source: {} } },
        ],
      },
    ]);
  });

  it('takes a system prompt given as a string, and marks a failed tool result', () => {
    const messages = conversationOf(
      'anthropic',
      {
        system: 'Be brief.',
        messages: [
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'x', content: 'boom', is_error: true }],
          },
        ],
      },
      undefined,
    );
    expect(messages[0]).toEqual({
      role: 'system',
      answer: false,
      parts: [{ kind: 'text', text: 'Be brief.' }],
    });
    expect(messages[1]!.parts[0]).toEqual({
      kind: 'tool_result',
      id: 'x',
      content: 'boom',
      isError: true,
    });
  });
});

describe('an OpenAI exchange as a conversation', () => {
  it('reads system, user, assistant tool calls (arguments parsed), tool results and the answer', () => {
    const request = {
      messages: [
        { role: 'developer', content: 'You pack bags.' },
        { role: 'user', content: [{ type: 'text', text: 'What to pack for Lima?' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Lima"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"tempC":20}' },
      ],
    };
    const response = {
      choices: [{ index: 0, message: { role: 'assistant', content: 'A light jacket.' } }],
    };
    expect(conversationOf('openai', request, response)).toEqual([
      { role: 'system', answer: false, parts: [{ kind: 'text', text: 'You pack bags.' }] },
      { role: 'user', answer: false, parts: [{ kind: 'text', text: 'What to pack for Lima?' }] },
      {
        role: 'assistant',
        answer: false,
        parts: [{ kind: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Lima' } }],
      },
      {
        role: 'tool',
        answer: false,
        parts: [{ kind: 'tool_result', id: 'call_1', content: '{"tempC":20}', isError: false }],
      },
      { role: 'assistant', answer: true, parts: [{ kind: 'text', text: 'A light jacket.' }] },
    ]);
  });

  it('keeps arguments that are not JSON as their text', () => {
    const [m] = conversationOf('openai', undefined, {
      choices: [
        {
          message: {
            role: 'assistant',
            tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{"a":' } }],
          },
        },
      ],
    });
    expect(m!.parts).toEqual([{ kind: 'tool_use', id: 'c', name: 'f', input: '{"a":' }]);
  });
});

it('reads nothing from another provider or a body of another shape', () => {
  expect(
    conversationOf('other', { messages: [{ role: 'user', content: 'x' }] }, undefined),
  ).toEqual([]);
  expect(conversationOf('anthropic', 'text', [1, 2])).toEqual([]);
  expect(conversationOf('openai', { messages: 'x' }, { choices: {} })).toEqual([]);
});
