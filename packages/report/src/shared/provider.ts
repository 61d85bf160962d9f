/**
 * What a model call is, read from its request: which provider's wire format it speaks, which model
 * it asked for, and what the response says it used in tokens.
 */
import type { Json, Provider, TokenCounts } from './report-data.js';

/** The provider by the request's path (`/v1/messages`, `/chat/completions`), else `other`. */
export function providerOf(url: string): Provider {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  if (/\/messages\/?$/.test(path)) return 'anthropic';
  if (/\/chat\/completions\/?$/.test(path)) return 'openai';
  return 'other';
}

type Obj = { readonly [key: string]: Json };
const isObj = (value: Json | undefined): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `model` a request body names, when it is JSON with one. */
export function modelOf(request: Json | undefined): string | undefined {
  return isObj(request) && typeof request.model === 'string' ? request.model : undefined;
}

/**
 * Tokens as the response's `usage` counts them: Anthropic's `input_tokens`/`output_tokens`, or
 * OpenAI's `prompt_tokens`/`completion_tokens`. Undefined when it has no usage.
 */
export function tokensOf(response: Json | undefined): TokenCounts | undefined {
  if (!isObj(response) || !isObj(response.usage)) return undefined;
  const usage = response.usage;
  const input = usage.input_tokens ?? usage.prompt_tokens;
  const output = usage.output_tokens ?? usage.completion_tokens;
  const tokens: { input?: number; output?: number } = {};
  if (typeof input === 'number') tokens.input = input;
  if (typeof output === 'number') tokens.output = output;
  return tokens.input === undefined && tokens.output === undefined ? undefined : tokens;
}
