import { describe, expect, it } from 'vitest';
import { neutralOf } from './perturbations.js';
import { modelOfRequest, usageOfBody } from './usage.js';

describe('usage', () => {
  it('reads Anthropic and OpenAI usage from JSON bodies', () => {
    expect(usageOfBody('{"usage":{"input_tokens":12,"output_tokens":7}}')).toEqual({
      input: 12,
      output: 7,
    });
    expect(
      usageOfBody('{"usage":{"prompt_tokens":30,"completion_tokens":4,"total_tokens":34}}'),
    ).toEqual({ input: 30, output: 4 });
    expect(usageOfBody('{"text":"no usage"}')).toBeUndefined();
    expect(usageOfBody('not json')).toBeUndefined();
  });

  it('reads a streamed Anthropic answer: input from message_start, output from the last message_delta', () => {
    const sse = [
      'event: message_start',
      'data: {"type":"message_start","message":{"usage":{"input_tokens":25,"output_tokens":1}}}',
      '',
      'event: content_block_delta',
      'data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}',
      '',
      'event: message_delta',
      'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}',
      '',
    ].join('\n');
    expect(usageOfBody(sse)).toEqual({ input: 25, output: 15 });
  });

  it('reads a streamed OpenAI answer: the usage chunk, null usages before it ignored', () => {
    const sse = [
      'data: {"choices":[{"delta":{"content":"Hi"}}],"usage":null}',
      '',
      'data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}',
      '',
      'data: [DONE]',
      '',
    ].join('\n');
    expect(usageOfBody(sse)).toEqual({ input: 9, output: 2 });
  });

  it('reads the model a request names', () => {
    expect(modelOfRequest('{"model":"gpt-x","messages":[]}')).toBe('gpt-x');
    expect(modelOfRequest('plain')).toBeUndefined();
  });
});

describe('neutral values', () => {
  it('keep the shape and empty every leaf', () => {
    expect(neutralOf({ city: 'Oslo', tempC: 4, dry: true, tags: ['a'], at: null })).toEqual({
      city: '',
      tempC: 0,
      dry: false,
      tags: [],
      at: null,
    });
    expect(neutralOf('text')).toBe('');
  });
});
