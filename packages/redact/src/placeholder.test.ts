import { describe, expect, it } from 'vitest';
import { placeholderEnd } from './placeholder.js';

describe('placeholderEnd', () => {
  it('finds the end of a placeholder that starts exactly there, and only there', () => {
    const text = 'a [REDACTED:api_key] b [REDACTED:jwt#0123456789abcdef] [REDACTED:Bad]';
    expect(placeholderEnd(text, 2)).toBe(20);
    expect(text.slice(23, placeholderEnd(text, 23))).toBe('[REDACTED:jwt#0123456789abcdef]');
    expect(placeholderEnd(text, 1)).toBe(-1);
    expect(placeholderEnd(text, 3)).toBe(-1);
    expect(placeholderEnd(text, text.lastIndexOf('['))).toBe(-1);
  });
});
