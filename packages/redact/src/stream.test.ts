import type { Chunk } from '@trace/spec';
import { fakeCredential } from '@trace/test-utils';
import { describe, expect, it } from 'vitest';
import { compileRedactor } from './redactor.js';

const redactor = compileRedactor();
const encoder = new TextEncoder();
const join = (chunks: readonly Chunk[]) =>
  new TextDecoder().decode(Buffer.concat(chunks.map((c) => c.bytes)));

function split(text: string, cuts: readonly number[]): Chunk[] {
  const bytes = encoder.encode(text);
  const bounds = [0, ...cuts, bytes.length];
  return bounds.slice(1).map((end, i) => ({
    offsetMs: 10 * (i + 1),
    bytes: bytes.slice(bounds[i], end),
  }));
}

describe('redactStream', () => {
  it('returns the same chunks when nothing is found', () => {
    const chunks = split('data: {"type":"ping"}\n\n', [5, 9]);
    expect(redactor.redactStream(chunks, 'text/event-stream')).toBe(chunks);
  });

  it('finds a secret split across chunks, keeps the chunk count and offsets, and puts the placeholder where it starts', () => {
    const key = fakeCredential('anthropic_key').text;
    const text = `data: {"text":"key ${key} ok"}\n\n`;
    const start = text.indexOf(key);
    const chunks = split(text, [start + 3, start + 20, start + 40]);
    const out = redactor.redactStream(chunks, 'text/event-stream');
    expect(out.map((c) => c.offsetMs)).toEqual(chunks.map((c) => c.offsetMs));
    expect(join(out)).toBe('data: {"text":"key [REDACTED:anthropic_key] ok"}\n\n');
    expect(new TextDecoder().decode(out[0]!.bytes)).toBe(
      'data: {"text":"key [REDACTED:anthropic_key]',
    );
    // The middle chunk held only the secret's bytes: it is empty now, and still there.
    expect(out[1]!.bytes.byteLength).toBe(0);
  });

  it('cuts inside multi-byte characters are kept as they were', () => {
    const key = fakeCredential('github_token').text;
    const text = `é${key}日本`;
    const bytes = encoder.encode(text);
    // Cut inside "é" (2 bytes) and inside "日" (3 bytes).
    const chunks = split(text, [1, bytes.length - 5]);
    const out = redactor.redactStream(chunks, 'text/plain');
    expect(join(out)).toBe('é[REDACTED:github_token]日本');
    expect([...out[0]!.bytes]).toEqual([0xc3]);
  });

  it('leaves binary streams alone', () => {
    const chunks = split(`\0${fakeCredential('github_token').text}`, [4]);
    expect(redactor.redactStream(chunks, 'application/octet-stream')).toBe(chunks);
  });
});
