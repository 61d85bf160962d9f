// The scripted model behind the example: how the local LLM server answers the agent. It reads
// each request and answers as a small planning model would — ask for the weather of the city the
// user named, then write the day's plan from the tool's result — so the conversation depends on
// everything the agent sent, including the values it drew.

/** The Anthropic-format responder for the scripted server. */
export function respondAnthropic(request) {
  const messages = request.json?.messages ?? [];
  const last = messages.at(-1);
  if (last?.role === 'user' && typeof last.content === 'string') {
    const city = last.content.match(/a day in ([A-Za-z]+)/)?.[1] ?? 'Paris';
    return { toolUse: { name: 'get_weather', input: { city } }, chunkDelayMs: 2 };
  }
  const result = Array.isArray(last?.content)
    ? last.content.find((block) => block.type === 'tool_result')
    : undefined;
  if (result !== undefined) {
    const weather = JSON.parse(
      typeof result.content === 'string' ? result.content : result.content[0].text,
    );
    const activity = weather.tempC >= 18 ? 'a walk along the river' : 'an afternoon in a museum';
    return {
      text: `Plan for ${weather.city}: ${activity} (${weather.tempC}°C, ${weather.sky}).`,
      chunkDelayMs: 2,
    };
  }
  return { text: 'I can only plan days.' };
}

/** The OpenAI-format responder: one tool call, then a one-line answer. */
export function respondOpenAI(request) {
  const messages = request.json?.messages ?? [];
  const last = messages.at(-1);
  if (last?.role === 'tool') {
    const weather = JSON.parse(last.content);
    return { text: `Pack for ${weather.tempC}°C in ${weather.city}.` };
  }
  const city = String(last?.content ?? '').match(/in ([A-Za-z]+)/)?.[1] ?? 'Oslo';
  return { toolUse: { name: 'get_weather', input: { city } } };
}

/** Routes each request to the Anthropic or the OpenAI responder. */
export function respond(request) {
  return request.path.includes('/chat/completions')
    ? respondOpenAI(request)
    : respondAnthropic(request);
}
