// The agent the crash and re-record tests run, in a child process that is killed mid-stream and
// in the test itself: a drawn id, a global clock read, an annotation, one JSON call and one
// streamed call through the official Anthropic SDK.
import Anthropic from '@anthropic-ai/sdk';
import { fakeCredential } from '@trace/test-utils';

/** @type {import('./streaming-agent.d.mts').streamingAgent} */
export async function streamingAgent(context, { baseURL, prompt, onText }) {
  const client = new Anthropic({
    apiKey: fakeCredential('anthropic_key').text,
    baseURL,
    fetch: context.fetch,
  });
  const sessionId = context.source.uuidV4();
  const startedAt = Date.now();
  context.annotate({ step: 'plan', sessionId });
  const plan = await client.messages.create({
    model: 'claude-test',
    max_tokens: 64,
    metadata: { user_id: sessionId },
    messages: [{ role: 'user', content: `Plan: ${prompt}` }],
  });
  const stream = client.messages.stream({
    model: 'claude-test',
    max_tokens: 4096,
    messages: [{ role: 'user', content: `Write: ${prompt}` }],
  });
  if (onText !== undefined) stream.on('text', onText);
  const final = await stream.finalMessage();
  return {
    sessionId,
    startedAt,
    plan: plan.content,
    text: final.content,
  };
}
