import { describe, expect, it } from 'vitest';
import { startLlmServer } from './server.js';
import type { ScriptStep } from './types.js';

const script: ScriptStep[] = [
  { text: 'Scripted answer.' },
  { text: 'streamed words here', toolUse: { name: 'tool', input: { a: [1, 'b'] } } },
  {},
  { toolUse: { name: 'tool', input: { q: 'x' } } },
  { status: 529 },
];

/** The bytes and request-id headers a fresh server sends for a fixed sequence of requests. */
async function session(): Promise<string[]> {
  const server = await startLlmServer({ script });
  try {
    const calls: [string, Record<string, unknown>][] = [
      [
        '/v1/messages',
        { model: 'claude-x', max_tokens: 5, messages: [{ role: 'user', content: 'a' }] },
      ],
      [
        '/v1/messages',
        { model: 'claude-x', stream: true, messages: [{ role: 'user', content: 'b' }] },
      ],
      ['/v1/chat/completions', { model: 'gpt-x', messages: [{ role: 'user', content: 'c' }] }],
      [
        '/v1/chat/completions',
        {
          model: 'gpt-x',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'd' }],
        },
      ],
      ['/v1/messages', { model: 'claude-x', messages: [{ role: 'user', content: 'e' }] }],
    ];
    const out: string[] = [];
    for (const [path, body] of calls) {
      const response = await fetch(`${server.url}${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      const id = response.headers.get('request-id') ?? response.headers.get('x-request-id');
      out.push(`${response.status} ${id}\n${await response.text()}`);
    }
    return out;
  } finally {
    await server.close();
  }
}

describe('determinism', () => {
  it('two fresh servers answer the same requests with byte-identical bodies', async () => {
    const first = await session();
    const second = await session();
    expect(second).toEqual(first);
    expect(first[0]).toContain('"id":"msg_0001"');
    expect(first[2]).toContain('"id":"chatcmpl-0003"');
    expect(first[4]).toMatch(/^529 req_0005\n/);
  });
});
