// The smaller variant, with the official `openai` client: one question, one tool call, one answer.
import { getWeather } from './tools.mjs';

const TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

export async function runOpenAIAgent({ client, source, hooks }) {
  const city = ['Oslo', 'Lima', 'Kyoto'][source.int(0, 2)];
  const messages = [{ role: 'user', content: `What should I pack for a day in ${city}?` }];
  const first = await client.chat.completions.create({
    model: 'gpt-trace-demo',
    messages,
    tools: [TOOL],
  });
  hooks.sampling({
    purpose: 'pack',
    model: first.model,
    outputBytes: Buffer.byteLength(JSON.stringify(first.choices[0].message)),
    inputTokens: first.usage?.prompt_tokens,
    outputTokens: first.usage?.completion_tokens,
    context: 'openai-variant',
  });
  const call = first.choices[0].message.tool_calls?.[0];
  const started = source.monotonic();
  const weather = getWeather(source, JSON.parse(call?.function.arguments ?? '{}').city ?? city);
  hooks.toolCall({
    tool: 'get_weather',
    input: { city },
    output: weather,
    durationMs: source.monotonic() - started,
    context: 'openai-variant',
  });
  const answer = await client.chat.completions.create({
    model: 'gpt-trace-demo',
    messages: [
      ...messages,
      first.choices[0].message,
      { role: 'tool', tool_call_id: call?.id ?? 'none', content: JSON.stringify(weather) },
    ],
    tools: [TOOL],
  });
  hooks.sampling({
    purpose: 'answer',
    model: answer.model,
    outputBytes: Buffer.byteLength(answer.choices[0].message.content ?? ''),
    context: 'openai-variant',
  });
  return { city, weather, answer: answer.choices[0].message.content };
}
