import Anthropic from '@anthropic-ai/sdk';
import { fakeCredential } from '@trace/test-utils';
import OpenAI from 'openai';
import type { LlmServer } from '../types.js';

/** The real Anthropic SDK pointed at the scripted server. */
export function anthropicClient(server: LlmServer, maxRetries = 2): Anthropic {
  return new Anthropic({
    apiKey: fakeCredential('anthropic_key').text,
    baseURL: server.anthropicBaseURL,
    maxRetries,
  });
}

/** The real OpenAI SDK pointed at the scripted server. */
export function openaiClient(server: LlmServer, maxRetries = 2): OpenAI {
  return new OpenAI({
    apiKey: fakeCredential('openai_project_key').text,
    baseURL: server.openaiBaseURL,
    maxRetries,
  });
}

export const ANTHROPIC_MODEL = 'claude-test-model';
export const OPENAI_MODEL = 'gpt-test-model';

/** Parses a raw SSE body into its frames' event names and data lines. */
export function parseSse(body: string): { event: string | null; data: string }[] {
  return body
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      let event: string | null = null;
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice('event: '.length);
        if (line.startsWith('data: ')) data = line.slice('data: '.length);
      }
      return { event, data };
    });
}
