/** The 815-byte Anthropic Messages request of the vectors in docs/tape-format.md, section 5. */
export function vectorRequest(): Uint8Array {
  const body = JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system:
      'You plan trips, one day at a time, and check the weather before you suggest anything outdoors. '.repeat(
        3,
      ),
    tools: [
      {
        name: 'get_weather',
        description: 'The weather in a city today.',
        input_schema: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
      },
    ],
    messages: [
      { role: 'user', content: 'Plan a day in Lisbon.' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Lisbon' } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01',
            content: '{"tempC":21,"sky":"sunny"}',
          },
        ],
      },
    ],
  });
  return new Uint8Array(Buffer.from(body, 'utf8'));
}
