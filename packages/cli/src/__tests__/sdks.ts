/** The official `@anthropic-ai/sdk` and `openai` clients: real clients for driving `trace proxy`. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

/** A key-shaped value built at run time; the scripted server accepts any, the tape stores none. */
export const apiKey = ['test', 'key', Math.random().toString(36).slice(2)].join('-');

export function anthropicClient(baseURL: string): Anthropic {
  return new Anthropic({ apiKey, baseURL, maxRetries: 0 });
}

export function openaiClient(baseURL: string): OpenAI {
  return new OpenAI({ apiKey, baseURL, maxRetries: 0 });
}
