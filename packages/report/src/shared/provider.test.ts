import { expect, it } from 'vitest';
import { formatBytes } from '../viewer/run-list.js';
import { modelOf, providerOf, tokensOf } from './provider.js';
import { formatMs } from './timeline.js';

it('tells the provider by the request path', () => {
  expect(providerOf('https://api.anthropic.com/v1/messages')).toBe('anthropic');
  expect(providerOf('http://127.0.0.1:4000/anthropic/v1/messages/')).toBe('anthropic');
  expect(providerOf('https://api.openai.com/v1/chat/completions')).toBe('openai');
  expect(providerOf('https://api.openai.com/v1/responses')).toBe('other');
  expect(providerOf('not a url /chat/completions')).toBe('openai');
});

it('reads the model and the tokens of either provider', () => {
  expect(modelOf({ model: 'claude-x', messages: [] })).toBe('claude-x');
  expect(modelOf({ model: 3 })).toBeUndefined();
  expect(modelOf(undefined)).toBeUndefined();
  expect(tokensOf({ usage: { input_tokens: 5, output_tokens: 7 } })).toEqual({
    input: 5,
    output: 7,
  });
  expect(tokensOf({ usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } })).toEqual(
    { input: 5, output: 7 },
  );
  expect(tokensOf({ usage: { output_tokens: 2 } })).toEqual({ output: 2 });
  expect(tokensOf({ usage: {} })).toBeUndefined();
  expect(tokensOf({ choices: [] })).toBeUndefined();
});

it('formats sizes and durations for people', () => {
  expect(formatBytes(999)).toBe('999 B');
  expect(formatBytes(8_500)).toBe('8.5 kB');
  expect(formatBytes(4_856_000)).toBe('4.9 MB');
  expect(formatMs(840.4)).toBe('840 ms');
  expect(formatMs(1250)).toBe('1.25 s');
  expect(formatMs(125_000)).toBe('2 min 5 s');
});
